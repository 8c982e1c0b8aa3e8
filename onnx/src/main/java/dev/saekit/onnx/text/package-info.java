/**
 * Token activations of a real text transformer, on the JVM: a BERT-style ONNX model with its
 * HuggingFace tokenizer, text corpora, and harvests of activations written as {@code .npy} shards
 * with a token table.
 *
 * <p>{@link dev.saekit.onnx.text.TextModel} opens a model and its {@code tokenizer.json} ({@link
 * dev.saekit.onnx.text.TextModel#minilm()}: all-MiniLM-L6-v2, shipped in a Maven jar) and names its
 * tensors in words ({@code embeddings}, {@code residual:3}, {@code mlp_hidden:3}, ...); {@link
 * dev.saekit.onnx.text.TextTokenizer} cuts text into {@link dev.saekit.onnx.text.Tokens}; {@link
 * dev.saekit.onnx.text.TextBatch} pads them into the int64 tensors the model takes, which a spliced
 * copy of the graph is fed too. {@link dev.saekit.onnx.text.TextCorpus} reads documents in a fixed
 * order (WordNet, the King James Bible, the Brown Corpus, text and JSON Lines files, a list).
 *
 * <p>{@link dev.saekit.onnx.text.TokenHarvest} runs a model over a corpus and writes a harvest
 * directory:
 *
 * <pre>
 * DIR/manifest.json                  the ActivationManifest readers of extracted activations read
 * DIR/harvest.json                   settings and finished shards (HarvestState): resuming checks it
 * DIR/&lt;tap&gt;/shard-00000.npy         float32 [rows, C] per tap ("residual:3" in residual_3/)
 * DIR/tokens/doc_ids-00000.npy       int64, the document of each row (a line of documents.jsonl)
 * DIR/tokens/positions-00000.npy     int32, the row's position in its tokenized document
 * DIR/tokens/token_ids-00000.npy     int32, the row's token id
 * DIR/documents.jsonl                {"id":...,"text":...} per document harvested, in order
 * DIR/vocab.txt, DIR/tokenizer.json  the token of each id, and the tokenizer itself
 * </pre>
 *
 * {@link dev.saekit.onnx.text.HarvestPlan} cuts the same harvest into parts of whole shards for
 * separate processes (Spark tasks) to compute, each committed atomically, then assembles them into
 * that directory byte for byte ({@link dev.saekit.onnx.text.HarvestPart}).
 *
 * <p>{@link dev.saekit.onnx.text.HarvestDirectory} and {@link dev.saekit.onnx.text.TokenTable} read it
 * back: the shard files of a tap, and row r as a token in its document. {@link
 * dev.saekit.onnx.text.CorpusSample} picks documents evenly over a corpus, leaving out a harvest's
 * ({@link dev.saekit.onnx.text.HarvestDirectory#documentIds()}) to evaluate on unseen text.
 */
package dev.saekit.onnx.text;
