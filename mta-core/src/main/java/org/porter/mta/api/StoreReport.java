package org.porter.mta.api;

import java.util.List;

/** What {@code porter check} found: one line per aspect, each fine or a problem in words. */
public record StoreReport(List<Item> items) {

    public record Item(boolean ok, String text) {
        public static Item fine(String text) {
            return new Item(true, text);
        }

        public static Item problem(String text) {
            return new Item(false, text);
        }
    }

    public boolean ok() {
        return items.stream().allMatch(Item::ok);
    }
}
