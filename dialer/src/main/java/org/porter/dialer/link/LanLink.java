package org.porter.dialer.link;

/** The office's router reaches the ISP: always up, nothing to dial or hang up. */
public final class LanLink extends AbstractLink {

    public LanLink() {
        move(State.UP, "");
    }

    @Override
    public String type() {
        return "lan";
    }

    @Override
    public void bringUp() {
    }

    @Override
    public void tearDown() {
    }

    @Override
    public boolean alwaysUp() {
        return true;
    }
}
