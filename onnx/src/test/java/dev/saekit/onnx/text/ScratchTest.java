package dev.saekit.onnx.text;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchTest {
    static long cpu() {
        return HarvestResult.processCpuNanos();
    }

    @Test
    void look() throws Exception {
        List<String> texts = new ArrayList<>();
        try (TextCorpus.Reader r =
                TextCorpus.wordnet(Path.of("/usr/share/wordnet")).open()) {
            for (int i = 0; i < 2000; i++) texts.add(r.next().text());
        }
        try (TextModel m = TextModel.minilm();
                TextTaps taps = m.taps(List.of("residual:3"), 0);
                TextTaps plain = m.taps(List.of("residual:5"), 0)) {
            for (int b : new int[] {32, 8, 1, 32, 64}) {
                for (TextTaps tt : new TextTaps[] {taps, plain}) {
                    long real = 0, padded = 0, tokNs = 0, runNs = 0, c0 = cpu();
                    for (int i = 0; i + b <= 1024; i += b) {
                        long t0 = System.nanoTime();
                        TextBatch batch = m.tokenizer().batch(texts.subList(i, i + b));
                        long t1 = System.nanoTime();
                        tt.run(batch);
                        runNs += System.nanoTime() - t1;
                        tokNs += t1 - t0;
                        for (Tokens t : batch.texts()) real += t.length();
                        padded += (long) batch.size() * batch.length();
                    }
                    double cs = (cpu() - c0) / 1e9;
                    System.out.printf(
                            "B=%d %s real %d padded %d tok %.2fs run %.2fs cpu %.2fs: real/cpu-s %.0f padded/cpu-s %.0f real/s %.0f%n",
                            b,
                            tt == taps ? "r3" : "out",
                            real,
                            padded,
                            tokNs / 1e9,
                            runNs / 1e9,
                            cs,
                            real / cs,
                            padded / cs,
                            real / (runNs / 1e9));
                }
            }
        }
    }
}
