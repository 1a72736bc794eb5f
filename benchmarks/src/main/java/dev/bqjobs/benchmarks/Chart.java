package dev.bqjobs.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * A PNG with two bar panels by contender: wall time over the lower bound, and jobs.get calls per
 * job, each with its target drawn as a dashed line. Java2D only, so the module needs no charting
 * dependency.
 */
final class Chart {
  private static final int PANEL_WIDTH = 480;
  private static final int HEIGHT = 360;
  private static final int MARGIN = 50;
  private static final Color[] COLORS = {
    new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3), new Color(0xe7298a)
  };

  private Chart() {}

  static void write(Path file, List<RunResult> rows, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image =
        new BufferedImage(2 * PANEL_WIDTH, HEIGHT + 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, MARGIN, 20);
      panel(g, 0, rows, "wall time / lower bound (target <= 1.15)", r -> r.ratio, 1.15);
      panel(g, PANEL_WIDTH, rows, "jobs.get calls per job (target <= 3)", r -> r.getsPerJob, 3);
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
  }

  private static void panel(
      Graphics2D g,
      int x0,
      List<RunResult> rows,
      String label,
      ToDoubleFunction<RunResult> value,
      double target) {
    int top = 50;
    int bottom = HEIGHT - 20;
    int left = x0 + MARGIN;
    int right = x0 + PANEL_WIDTH - 20;
    double max = target * 1.2;
    for (RunResult r : rows) {
      double v = value.applyAsDouble(r);
      if (!Double.isNaN(v)) {
        max = Math.max(max, v * 1.1);
      }
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.BLACK);
    g.drawString(label, left, top - 15);
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    g.drawString(Report.dec(max), x0 + 5, top + 5);
    g.drawString("0", x0 + 30, bottom);
    int n = Math.max(1, rows.size());
    int slot = (right - left) / n;
    for (int i = 0; i < rows.size(); i++) {
      RunResult r = rows.get(i);
      double v = value.applyAsDouble(r);
      int h = Double.isNaN(v) ? 0 : (int) Math.round((bottom - top) * v / max);
      int bx = left + i * slot + slot / 5;
      g.setColor(COLORS[i % COLORS.length]);
      g.fillRect(bx, bottom - h, slot * 3 / 5, h);
      g.setColor(Color.BLACK);
      g.drawString(Report.dec(v), bx, bottom - h - 4);
      g.drawString(r.contender + (r.sampled ? "*" : ""), bx, bottom + 15);
    }
    int ty = bottom - (int) Math.round((bottom - top) * target / max);
    g.setColor(Color.RED);
    g.setStroke(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f));
    g.drawLine(left, ty, right, ty);
    g.setStroke(new BasicStroke());
  }
}
