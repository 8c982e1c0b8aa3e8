package dev.saekit.cli;

import dev.saekit.files.AtomicFiles;
import dev.saekit.jupyter.FrontierPlots;
import dev.saekit.sweep.CellResult;
import dev.saekit.sweep.SweepResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.batik.transcoder.TranscoderException;
import org.apache.batik.transcoder.TranscoderInput;
import org.apache.batik.transcoder.TranscoderOutput;
import org.apache.batik.transcoder.image.PNGTranscoder;

/**
 * The figures of a sweep's directory, drawn from its finished cells: {@code frontier-fvu.svg} (L0
 * against FVU, one line per variant) and, when an evaluator added columns, {@code
 * frontier-fidelity.svg} (L0 against {@code fraction_recovered}, or the first downstream column),
 * each with a {@code .png} beside it (Batik). Every file is written atomically.
 */
final class FrontierFiles {
    static final String FVU = "frontier-fvu";
    static final String FIDELITY = "frontier-fidelity";

    private FrontierFiles() {}

    /** The downstream column the fidelity plot shows: {@code fraction_recovered}, else the first, else null. */
    static String fidelityColumn(List<String> downstream) {
        if (downstream.contains("fraction_recovered")) {
            return "fraction_recovered";
        }
        return downstream.isEmpty() ? null : downstream.get(0);
    }

    /** Draws the figures of {@code sweep} into its directory and returns the files written (none before a cell is finished). */
    static List<Path> write(SweepResult sweep) throws IOException {
        List<Path> written = new ArrayList<>();
        List<CellResult> rows = sweep.rows();
        if (rows.isEmpty()) {
            return written;
        }
        written.addAll(figure(sweep.directory().resolve(FVU), rows, "fvu"));
        String fidelity = fidelityColumn(sweep.downstreamColumns());
        if (fidelity != null && rows.stream().anyMatch(r -> Double.isFinite(r.value(fidelity)))) {
            written.addAll(figure(sweep.directory().resolve(FIDELITY), rows, fidelity));
        }
        return written;
    }

    private static List<Path> figure(Path base, List<CellResult> rows, String metric) throws IOException {
        String svg = FrontierPlots.svg(rows, metric, null);
        Path svgFile = base.resolveSibling(base.getFileName() + ".svg");
        Path pngFile = base.resolveSibling(base.getFileName() + ".png");
        AtomicFiles.writeString(svgFile, svg);
        AtomicFiles.write(pngFile, png(svg));
        return List.of(svgFile, pngFile);
    }

    /** {@code svg} rendered by Batik at its own size. */
    static byte[] png(String svg) throws IOException {
        // Lets-Plot marks rasters "image-rendering: pixelated", a CSS value Batik does not know and logs
        String clean = svg.replace("; image-rendering: pixelated", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PNGTranscoder().transcode(new TranscoderInput(new StringReader(clean)), new TranscoderOutput(out));
        } catch (TranscoderException e) {
            throw new IOException("cannot render the frontier as PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
