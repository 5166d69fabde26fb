package org.porter.webadmin.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bar chart drawn on the server as SVG (no script, no library, works offline): days along the
 * bottom, one bar per series and day, a scale on the left, and optionally a horizontal reference line
 * (the phone line's capacity). The template only places what this computes.
 */
public final class Chart {
    public static final int WIDTH = 760;
    public static final int HEIGHT = 220;
    static final int LEFT = 56;
    static final int BOTTOM = 24;
    static final int TOP = 10;

    /** A series: its name in the legend and its CSS class (colour). */
    public record Series(String name, String cssClass) {
    }

    public record Bar(String x, String y, String w, String h, String cssClass, String tip) {
    }

    public record Tick(String y, String label) {
    }

    public record DayLabel(String x, String label) {
    }

    private final String id;
    private final String title;
    private final String description;
    private final List<Series> series;
    private final List<Bar> bars = new ArrayList<>();
    private final List<Tick> ticks = new ArrayList<>();
    private final List<DayLabel> days = new ArrayList<>();
    private String referenceY;
    private String referenceLabel = "";

    /**
     * @param values     values[day][series]
     * @param dayLabels  one label per day (shown for every 5th day and the last)
     * @param reference  a value for the reference line, or a negative number for none
     */
    public Chart(String id, String title, String description, List<Series> series, double[][] values,
            List<String> dayLabels, String unit, double reference, String referenceLabel) {
        this.id = id;
        this.title = title;
        this.description = description;
        this.series = series;
        double max = reference > 0 ? reference : 0;
        for (double[] day : values) {
            for (double v : day) {
                max = Math.max(max, v);
            }
        }
        max = niceCeiling(max);
        double plotW = WIDTH - LEFT - 8;
        double plotH = HEIGHT - TOP - BOTTOM;
        double group = plotW / Math.max(1, values.length);
        double barW = Math.max(1, (group - 2) / Math.max(1, series.size()));
        for (int d = 0; d < values.length; d++) {
            for (int s = 0; s < series.size(); s++) {
                double v = values[d][s];
                double h = max == 0 ? 0 : v / max * plotH;
                double x = LEFT + d * group + 1 + s * barW;
                bars.add(new Bar(f(x), f(TOP + plotH - h), f(barW), f(h), series.get(s).cssClass(),
                        dayLabels.get(d) + ": " + format(v) + " " + series.get(s).name() + (unit.isEmpty() ? "" : " (" + unit + ")")));
            }
            if (d % 5 == 0 || d == values.length - 1) {
                days.add(new DayLabel(f(LEFT + d * group + group / 2), dayLabels.get(d)));
            }
        }
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            ticks.add(new Tick(f(TOP + plotH - (max == 0 ? 0 : v / max * plotH)), format(v)));
        }
        if (reference > 0) {
            referenceY = f(TOP + plotH - reference / max * plotH);
            this.referenceLabel = referenceLabel;
        }
    }

    /** 1, 2, 5 × 10^n at or above {@code v} (at least 4, so a quiet month still has a scale). */
    static double niceCeiling(double v) {
        if (v <= 4) {
            return 4;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 4, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String format(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.1f", v);
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public List<Series> series() {
        return series;
    }

    public List<Bar> bars() {
        return bars;
    }

    public List<Tick> ticks() {
        return ticks;
    }

    public List<DayLabel> days() {
        return days;
    }

    public String referenceY() {
        return referenceY;
    }

    public String referenceLabel() {
        return referenceLabel;
    }

    public int width() {
        return WIDTH;
    }

    public int height() {
        return HEIGHT;
    }

    public int left() {
        return LEFT;
    }

    public int bottom() {
        return HEIGHT - BOTTOM;
    }
}
