package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.hostile.ZipBuilder;
import dev.saekit.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Broken and hostile {@code .pt} archives: each is one {@link MalformedFileException} that names the
 * file (and the pickle's byte offset and the refused callable where the pickle is at fault), and a
 * seeded fuzz run over dictionary_learning's archives in which every mutation is read or refused.
 */
class TorchArchiveMalformedTest {
    @TempDir
    Path tmp;

    /** A pickle, opcode by opcode. */
    private static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            out.write(0x80);
            out.write(2);
        }

        Pickle op(char c) {
            out.write(c);
            return this;
        }

        Pickle raw(int b) {
            out.write(b);
            return this;
        }

        Pickle global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(b.length)
                    .array());
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) v)
                    .array());
            return this;
        }

        /** {@code _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(String key, long numel, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").op('(').op('(');
            str("storage")
                    .global("torch", "FloatStorage")
                    .str(key)
                    .str("cpu")
                    .integer(numel)
                    .op('t')
                    .op('Q');
            integer(offset).op('(');
            for (long s : size) {
                integer(s);
            }
            op('t').op('(');
            for (long s : stride) {
                integer(s);
            }
            op('t').raw(0x89)
                    .global("collections", "OrderedDict")
                    .op(')')
                    .op('R')
                    .op('t')
                    .op('R');
            return this;
        }

        byte[] stop() {
            out.write('.');
            return out.toByteArray();
        }
    }

    private Path archive(byte[] pickle, byte[]... storages) throws IOException {
        ZipBuilder zip = new ZipBuilder();
        zip.add("ae/data.pkl", pickle, false);
        zip.add("ae/byteorder", "little".getBytes(StandardCharsets.US_ASCII), false);
        for (int i = 0; i < storages.length; i++) {
            zip.add("ae/data/" + i, storages[i], false);
        }
        Path file = tmp.resolve("ae.pt");
        Files.write(file, zip.build());
        return file;
    }

    private static void assertRefused(Path file, String... expected) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> TorchArchive.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") || e.getMessage().startsWith(file + ", "), e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
    }

    private static byte[] floats(int n) {
        return new byte[4 * n];
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"os, system", "builtins, eval", "torch, load", "collections, defaultdict", "torch.nn, Linear"})
    void aGlobalOutsideTheWhitelistIsRefusedWhereItIsNamed(String module, String name) throws IOException {
        byte[] p = new Pickle().op('}').global(module, name).op('0').stop();
        assertRefused(archive(p), "pickle byte 3", "refused global '" + module + "." + name + "'");
    }

    @Test
    void stackGlobalIsCheckedLikeGlobal() throws IOException {
        byte[] p = new Pickle().str("posix").str("system").raw(0x93).stop();
        assertRefused(archive(p), "refused global 'posix.system'");
    }

    @ParameterizedTest(name = "opcode {0}")
    @CsvSource({"105, INST", "111, OBJ", "129, NEWOBJ", "146, NEWOBJ_EX", "130, EXT1"})
    void objectBuildingOpcodesAreRefused(int opcode, String name) throws IOException {
        byte[] p = new Pickle().op('}').op('(').raw(opcode).stop();
        assertRefused(archive(p), "pickle byte 4", name);
    }

    @Test
    void reduceOfAStorageClassOrBuildOfADictIsRefused() throws IOException {
        assertRefused(
                archive(new Pickle()
                        .global("torch", "FloatStorage")
                        .op(')')
                        .op('R')
                        .stop()),
                "REDUCE calls torch.FloatStorage");
        assertRefused(archive(new Pickle().op('}').op('}').op('b').stop()), "BUILD on a dict");
    }

    @Test
    void aPickleThatIsNotAStateDictOfTensorsIsRefused() throws IOException {
        assertRefused(archive(new Pickle().op(']').stop()), "a list of 0", "not a state dict");
        assertRefused(
                archive(new Pickle().op('}').str("step").integer(5).op('s').stop()),
                "holds the long 5",
                "state dicts of named tensors");
    }

    @Test
    void deepNestingAndMemoAbuseEndInOneError() throws IOException {
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        deep.write(0x80);
        deep.write(2);
        for (int i = 0; i < 200_000; i++) {
            deep.write(']'); // a list inside the previous one: built iteratively, never walked recursively
        }
        for (int i = 0; i < 199_999; i++) {
            deep.write('a');
        }
        deep.write('.');
        assertRefused(archive(deep.toByteArray()), "not a state dict");
        assertRefused(archive(new Pickle().op('}').raw('h').raw(7).stop()), "memo entry 7 is read before");
        byte[] marks = new byte[300_000];
        Arrays.fill(marks, (byte) '(');
        assertRefused(archive(marks), "without its STOP opcode");
        assertRefused(archive(new Pickle().op('}').op('}').stop()), "STOP with 2 objects");
    }

    @Test
    void sizesAreCheckedAgainstTheStorageBeforeAnythingIsAllocated() throws IOException {
        assertRefused(
                archive(
                        new Pickle()
                                .op('}')
                                .str("w")
                                .tensor("0", 12, 0, new long[] {3, 4}, new long[] {4, 1})
                                .op('s')
                                .stop(),
                        floats(11)),
                "holds 44 bytes but the pickle declares 12 elements");
        assertRefused(
                archive(
                        new Pickle()
                                .op('}')
                                .str("w")
                                .tensor("0", 12, 1, new long[] {3, 4}, new long[] {4, 1})
                                .op('s')
                                .stop(),
                        floats(12)),
                "reaches element 12 of a storage of 12");
        assertRefused(
                archive(
                        new Pickle()
                                .op('}')
                                .str("w")
                                .tensor("0", 1, 0, new long[] {100_000, 100_000}, new long[] {0, 0})
                                .op('s')
                                .stop(),
                        floats(1)),
                "a broadcast view");
        assertRefused(
                archive(
                        new Pickle()
                                .op('}')
                                .str("w")
                                .tensor("0", 12, 0, new long[] {1L << 31, 1L << 31}, new long[] {1L << 31, 1})
                                .op('s')
                                .stop(),
                        floats(12)),
                "");
        assertRefused(
                archive(
                        new Pickle()
                                .op('}')
                                .str("w")
                                .tensor("7", 12, 0, new long[] {12}, new long[] {1})
                                .op('s')
                                .stop(),
                        floats(12)),
                "no member 'ae/data/7'");
    }

    @Test
    void archiveDefectsAreRefused() throws IOException {
        byte[] p = new Pickle()
                .op('}')
                .str("w")
                .tensor("0", 3, 0, new long[] {3}, new long[] {1})
                .op('s')
                .stop();
        ZipBuilder twice = new ZipBuilder();
        twice.add("ae/data.pkl", p, false);
        twice.add("ae/data/0", floats(3), false);
        twice.add("ae/data/0", floats(3), false);
        Path dup = tmp.resolve("dup.pt");
        Files.write(dup, twice.build());
        assertRefused(dup, "appears twice");
        ZipBuilder deflated = new ZipBuilder();
        deflated.add("ae/data.pkl", p, true);
        Path d = tmp.resolve("deflated.pt");
        Files.write(d, deflated.build());
        assertRefused(d, "compressed");
        ZipBuilder big = new ZipBuilder();
        big.add("ae/data.pkl", p, false);
        big.add("ae/byteorder", "big".getBytes(StandardCharsets.US_ASCII), false);
        Path b = tmp.resolve("big.pt");
        Files.write(b, big.build());
        assertRefused(b, "byteorder is not 'little'");
        Path legacy = tmp.resolve("legacy.pt");
        Files.write(legacy, p);
        assertRefused(legacy, "legacy format");
        ZipBuilder crc = new ZipBuilder();
        crc.add("ae/data.pkl", p, false).crc = 1L;
        Path c = tmp.resolve("crc.pt");
        Files.write(c, crc.build());
        assertRefused(c, "CRC-32");
    }

    @Test
    void truncatedArchivesAreRefused() throws IOException {
        byte[] valid = Files.readAllBytes(resource("golden-io/dictionary_learning/topk/ae.pt"));
        Path file = tmp.resolve("cut.pt");
        for (int length = 0; length < valid.length; length += 13) {
            Files.write(file, Arrays.copyOf(valid, length));
            assertThrows(MalformedFileException.class, () -> TorchArchive.read(file), "cut at " + length);
        }
    }

    @Test
    @Timeout(300)
    void fuzzedArchivesAreReadOrRefusedWithAMalformedFileException() throws IOException {
        byte[][] seeds = {
            Files.readAllBytes(resource("golden-io/dictionary_learning/topk/ae.pt")),
            Files.readAllBytes(resource("golden-io/dictionary_learning/crosscoder/model_final.pt")),
        };
        // pickle opcodes and zip signature bytes, planted where the pickle lies (the first member's data)
        byte[] interesting =
                "PK\u0001\u0002\u0003\u0004\u0005\u0006\u0080\u0081\u0092\u0093()}]tRQbcuhqXKMJ.\u00ff\u0000"
                        .getBytes(StandardCharsets.ISO_8859_1);
        Fuzzing.Outcome outcome = Fuzzing.run(tmp.resolve("fuzz.pt"), 20_250_611, seeds, 1024, interesting, file -> {
            TorchArchive a = TorchArchive.read(file);
            for (String name : a.names()) {
                a.read(name, DType.FLOAT64);
            }
        });
        // the CRC-32 catches most changes to a member; flips in dates, versions and names outside the pickle still read
        assertTrue(outcome.read() > 0 && outcome.refused() > outcome.rounds() / 4, outcome.toString());
    }

    @Test
    @Timeout(300)
    void fuzzedPicklesInAValidArchiveAreReadOrRefused() throws IOException {
        // the pickle itself mutated, then archived with a correct CRC beside the original storages, so that every
        // mutation reaches the unpickler
        Path original = resource("golden-io/dictionary_learning/topk/ae.pt");
        byte[][] members = new byte[7][];
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(original.toFile())) {
            members[6] = zip.getInputStream(zip.getEntry("ae/data.pkl")).readAllBytes();
            for (int i = 0; i < 6; i++) {
                members[i] = zip.getInputStream(zip.getEntry("ae/data/" + i)).readAllBytes();
            }
        }
        byte[] interesting =
                "()}]tRQbcuhqXKMJN.0125\u0080\u0081\u0085\u0086\u0087\u0088\u0089\u0093\u0094\u0095\u00ff\u0000\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
        Fuzzing.Outcome outcome = Fuzzing.run(
                tmp.resolve("fuzz.pt"), 20_250_612, new byte[][] {members[6]}, Integer.MAX_VALUE, interesting, file -> {
                    ZipBuilder zip = new ZipBuilder();
                    zip.add("ae/data.pkl", Files.readAllBytes(file), false);
                    for (int i = 0; i < 6; i++) {
                        zip.add("ae/data/" + i, members[i], false);
                    }
                    Files.write(file, zip.build());
                    TorchArchive a = TorchArchive.read(file);
                    for (String name : a.names()) {
                        a.read(name, DType.FLOAT64);
                    }
                });
        assertTrue(outcome.read() > 0 && outcome.refused() > outcome.rounds() / 4, outcome.toString());
    }
}
