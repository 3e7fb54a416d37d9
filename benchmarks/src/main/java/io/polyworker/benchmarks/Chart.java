package io.polyworker.benchmarks;

import io.polyworker.benchmarks.Client.Kind;
import io.polyworker.benchmarks.Results.Summary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A bar chart of median throughput: one panel per handler variant, one group per engine, one bar
 * per client (with the min–max range as a whisker). Plain Java2D, written with ImageIO.
 */
final class Chart {
  private static final int PANEL_WIDTH = 560;
  private static final int HEIGHT = 460;
  private static final int TOP = 70;
  private static final int BOTTOM = 70;
  private static final int LEFT = 60;
  private static final Map<Kind, Color> COLORS = Map.of(
      Kind.POLYWORKER, new Color(0x2E7D32),
      Kind.OBSERVED, new Color(0x81C784),
      Kind.ANNOTATED, new Color(0xF9A825),
      Kind.ADAPTIVE, new Color(0x00897B),
      Kind.OFFICIAL, new Color(0x1565C0),
      Kind.RAW, new Color(0x9E9E9E));
  private static final Map<Kind, String> NAMES = Map.of(
      Kind.POLYWORKER, "Polyworker (defaults)",
      Kind.OBSERVED, "Polyworker with Micrometer + OpenTelemetry",
      Kind.ANNOTATED, "Polyworker via the starter (@JobSubscription)",
      Kind.ADAPTIVE, "Polyworker, adaptive concurrency 32..256",
      Kind.OFFICIAL, "official client (defaults) / Flowable reference loop",
      Kind.RAW, "raw loop (engine limit)");

  private Chart() {}

  static void write(Path file, List<Summary> summaries, Map<String, String> engines, List<Variant> variants)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    int width = Math.max(PANEL_WIDTH * variants.size(), 720); // room for the title and the legend
    BufferedImage image = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString("Throughput, jobs/s (median; whiskers: min–max of repetitions)", LEFT, 24);
      List<Kind> kinds = Arrays.stream(Kind.values())
          .filter(k -> summaries.stream().anyMatch(s -> s.kind() == k)).toList();
      legend(g, kinds);
      for (int i = 0; i < variants.size(); i++) {
        panel(g, i * PANEL_WIDTH, variants.get(i), summaries, engines, kinds);
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  /** The clients this run measured, in {@link Kind} order. */
  private static void legend(Graphics2D g, List<Kind> kinds) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int x = LEFT;
    for (Kind kind : kinds) {
      g.setColor(COLORS.get(kind));
      g.fillRect(x, 36, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(NAMES.get(kind), x + 16, 47);
      x += 24 + g.getFontMetrics().stringWidth(NAMES.get(kind));
    }
  }

  private static void panel(Graphics2D g, int x0, Variant variant, List<Summary> summaries,
      Map<String, String> engines, List<Kind> kinds) {
    List<Summary> mine = summaries.stream().filter(s -> s.variant().equals(variant)).toList();
    double top = mine.stream().mapToDouble(Summary::max).max().orElse(1);
    double scale = niceCeiling(top);
    int plotLeft = x0 + LEFT;
    int plotRight = x0 + PANEL_WIDTH - 20;
    int plotTop = TOP + 10;
    int plotBottom = HEIGHT - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.setColor(Color.BLACK);
    g.drawString("Handler: " + variant.label(), plotLeft, TOP);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i <= 4; i++) {
      int y = plotBottom - (plotBottom - plotTop) * i / 4;
      g.setColor(new Color(0xE0E0E0));
      g.drawLine(plotLeft, y, plotRight, y);
      g.setColor(Color.DARK_GRAY);
      String label = String.format("%.0f", scale * i / 4);
      g.drawString(label, plotLeft - 6 - fm.stringWidth(label), y + 4);
    }
    List<String> ids = engines.keySet().stream().toList();
    int groupWidth = (plotRight - plotLeft) / Math.max(1, ids.size());
    int bars = Math.max(1, kinds.size());
    int barWidth = Math.min(40, (groupWidth - 20) / bars);
    for (int e = 0; e < ids.size(); e++) {
      String engine = ids.get(e);
      int groupLeft = plotLeft + e * groupWidth + (groupWidth - bars * barWidth) / 2;
      for (Kind kind : kinds) {
        Summary s = mine.stream().filter(m -> m.engine().equals(engine) && m.kind() == kind).findFirst().orElse(null);
        int bx = groupLeft + kinds.indexOf(kind) * barWidth;
        if (s == null) {
          continue;
        }
        int h = (int) Math.round((plotBottom - plotTop) * s.median() / scale);
        g.setColor(COLORS.get(kind));
        g.fillRect(bx + 2, plotBottom - h, barWidth - 4, h);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        int yMin = plotBottom - (int) Math.round((plotBottom - plotTop) * s.min() / scale);
        int yMax = plotBottom - (int) Math.round((plotBottom - plotTop) * s.max() / scale);
        int cx = bx + barWidth / 2;
        g.drawLine(cx, yMin, cx, yMax);
        g.drawLine(cx - 4, yMax, cx + 4, yMax);
        g.drawLine(cx - 4, yMin, cx + 4, yMin);
        String value = String.format("%.0f", s.median());
        g.drawString(value, cx - fm.stringWidth(value) / 2, Math.min(yMax, plotBottom - h) - 4);
      }
      g.setColor(Color.BLACK);
      String name = engines.get(engine);
      name = name.contains(" (") ? name.substring(0, name.indexOf(" (")) : name;
      g.drawString(name, plotLeft + e * groupWidth + (groupWidth - fm.stringWidth(name)) / 2, plotBottom + 18);
    }
    g.setColor(Color.BLACK);
    g.drawLine(plotLeft, plotBottom, plotRight, plotBottom);
    g.drawLine(plotLeft, plotTop, plotLeft, plotBottom);
  }

  private static double niceCeiling(double v) {
    if (v <= 0 || Double.isNaN(v)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (step * magnitude >= v * 1.08) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
