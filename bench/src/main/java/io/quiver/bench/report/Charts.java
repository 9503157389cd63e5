package io.quiver.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG line charts through XChart, headless. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** One named line. */
    public record Line(String name, double[] x, double[] y) {
    }

    private Charts() {
    }

    public static void save(Path png, String title, String xTitle, String yTitle, List<Line> lines, boolean logX,
                            boolean stepped) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setLegendVisible(lines.size() > 1);
        for (Line line : lines) {
            if (line.x().length == 0) {
                continue;
            }
            XYSeries series = chart.addSeries(line.name(), line.x(), line.y());
            series.setMarker(line.x().length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if (stepped) {
                series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            }
        }
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
