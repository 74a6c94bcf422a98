package io.geows.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart: a linear x axis, a linear or log-10 y axis, several series of
 * points (filled when they passed, hollow when not), and dashed reference lines. No plotting library.
 */
final class SvgChart {
    private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int W = 760;
    private static final int H = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 160;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    /** One point; {@code ok} draws it filled. */
    record Point(double x, double y, boolean ok) {
    }

    private record Series(String name, List<Point> points) {
    }

    private record Guide(boolean horizontal, double at, String label) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private final List<Guide> guides = new ArrayList<>();

    SvgChart(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    SvgChart series(String name, List<Point> points) {
        series.add(new Series(name, List.copyOf(points)));
        return this;
    }

    /** A dashed horizontal line at {@code y}. */
    SvgChart hLine(double y, String label) {
        guides.add(new Guide(true, y, label));
        return this;
    }

    /** A dashed vertical line at {@code x}. */
    SvgChart vLine(double x, String label) {
        guides.add(new Guide(false, x, label));
        return this;
    }

    String render() {
        double xMax = 1;
        double yMin = logY ? Double.MAX_VALUE : 0;
        double yMax = logY ? 1 : 1;
        for (Series s : series) {
            for (Point p : s.points()) {
                xMax = Math.max(xMax, p.x());
                yMax = Math.max(yMax, p.y());
                yMin = Math.min(yMin, p.y());
            }
        }
        for (Guide g : guides) {
            if (g.horizontal()) {
                yMax = Math.max(yMax, g.at());
                yMin = Math.min(yMin, g.at());
            } else {
                xMax = Math.max(xMax, g.at());
            }
        }
        xMax = nice(xMax * 1.05);
        double lo;
        double hi;
        if (logY) {
            lo = Math.floor(Math.log10(Math.max(0.01, Math.min(yMin, 1))));
            hi = Math.ceil(Math.log10(yMax * 1.2));
        } else {
            lo = 0;
            hi = nice(yMax * 1.1);
        }
        Frame f = new Frame(xMax, lo, hi);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(W / 2.0, 22, title, "middle", 15, "bold"));
        // axes and grid
        int ticks = 5;
        for (int i = 0; i <= ticks; i++) {
            double xv = xMax * i / ticks;
            double px = f.x(xv);
            sb.append(line(px, TOP, px, H - BOTTOM, "#eee", false));
            sb.append(text(px, H - BOTTOM + 18, format(xv), "middle", 11, "normal"));
        }
        if (logY) {
            for (double e = lo; e <= hi; e++) {
                double py = f.y(Math.pow(10, e));
                sb.append(line(LEFT, py, W - RIGHT, py, "#eee", false));
                sb.append(text(LEFT - 8, py + 4, format(Math.pow(10, e)), "end", 11, "normal"));
            }
        } else {
            for (int i = 0; i <= ticks; i++) {
                double yv = hi * i / ticks;
                double py = f.y(yv);
                sb.append(line(LEFT, py, W - RIGHT, py, "#eee", false));
                sb.append(text(LEFT - 8, py + 4, format(yv), "end", 11, "normal"));
            }
        }
        sb.append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#333", false));
        sb.append(line(LEFT, TOP, LEFT, H - BOTTOM, "#333", false));
        sb.append(text((LEFT + W - RIGHT) / 2.0, H - 18, xLabel, "middle", 12, "normal"));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                (TOP + H - BOTTOM) / 2.0, (TOP + H - BOTTOM) / 2.0, escape(yLabel)));
        for (Guide g : guides) {
            if (g.horizontal()) {
                double py = f.y(g.at());
                sb.append(line(LEFT, py, W - RIGHT, py, "#888", true));
                sb.append(text(W - RIGHT + 4, py + 4, g.label(), "start", 11, "normal"));
            } else {
                double px = f.x(g.at());
                sb.append(line(px, TOP, px, H - BOTTOM, "#888", true));
                sb.append(text(px, TOP - 4, g.label(), "middle", 11, "normal"));
            }
        }
        for (int s = 0; s < series.size(); s++) {
            String color = COLORS[s % COLORS.length];
            List<Point> pts = new ArrayList<>(series.get(s).points());
            pts.sort((a, b) -> Double.compare(a.x(), b.x()));
            StringBuilder path = new StringBuilder();
            for (Point p : pts) {
                path.append(path.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", f.x(p.x()), f.y(p.y())));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color, path));
            for (Point p : pts) {
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" stroke=\"%s\" stroke-width=\"2\" fill=\"%s\"/>%n",
                        f.x(p.x()), f.y(p.y()), color, p.ok() ? color : "white"));
            }
            double ly = TOP + 20 + s * 20;
            sb.append(line(W - RIGHT + 10, ly - 4, W - RIGHT + 30, ly - 4, color, false));
            sb.append(text(W - RIGHT + 36, ly, series.get(s).name(), "start", 12, "normal"));
        }
        double ly = TOP + 20 + series.size() * 20 + 10;
        sb.append(text(W - RIGHT + 10, ly, "filled: passed", "start", 11, "normal"));
        sb.append(text(W - RIGHT + 10, ly + 16, "hollow: failed", "start", 11, "normal"));
        return sb.append("</svg>\n").toString();
    }

    /** Data to pixel coordinates. */
    private final class Frame {
        private final double xMax;
        private final double lo;
        private final double hi;

        Frame(double xMax, double lo, double hi) {
            this.xMax = xMax;
            this.lo = lo;
            this.hi = hi;
        }

        double x(double v) {
            return LEFT + (W - LEFT - RIGHT) * Math.max(0, v) / xMax;
        }

        double y(double v) {
            double t = logY ? (Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo) : (v - lo) / (hi - lo);
            return H - BOTTOM - (H - TOP - BOTTOM) * Math.min(1, Math.max(0, t));
        }
    }

    private static double nice(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String format(double v) {
        if (v >= 1_000_000) {
            return trim(v / 1_000_000) + "M";
        }
        if (v >= 1000) {
            return trim(v / 1000) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    private static String line(double x1, double y1, double x2, double y2, String color, boolean dashed) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1, y1, x2, y2, color, dashed ? " stroke-dasharray=\"6,4\"" : "");
    }

    private static String text(double x, double y, String s, String anchor, int size, String weight) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x, y, anchor, size, weight, escape(s));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
