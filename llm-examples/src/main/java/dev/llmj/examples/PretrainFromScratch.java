package dev.llmj.examples;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.Evaluation;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The whole pre-training path in one page: the embedded State of the Union corpus, a BPE tokenizer trained
 * on it, token shards, a packing iterator, a small GPT trained with AdamW and warm-up + cosine decay while
 * held-out text is evaluated, the model saved, and a sample generated from it.
 *
 * <pre>
 * java -cp llm.jar dev.llmj.examples.PretrainFromScratch [RUN_DIR] [STEPS] [VOCAB_SIZE] [DOCUMENTS]
 * </pre>
 *
 * Defaults: runs/from-scratch, 300 steps, 2048 ids, all 233 addresses (a few minutes on a laptop).
 */
public final class PretrainFromScratch {

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args.length > 0 ? args[0] : "runs/from-scratch");
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int vocabSize = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
    int documents = args.length > 3 ? Integer.parseInt(args[3]) : 233;
    if (Files.exists(run)) {
      throw new IllegalArgumentException(run + " already exists; give a new run folder");
    }
    Path corpus = EmbeddedCorpus.SOTU.copyTo(run.resolve("data"));

    BpeTokenizer tok;
    try (CorpusReader docs = Corpus.read(corpus)) {
      tok = new BpeTrainer(BpeTrainer.Config.of(vocabSize)).train(stream(docs).limit(documents).map(Document::text));
    }
    tok.save(run.resolve("tokenizer.json"));

    TokenShards.Stats shards;
    try (CorpusReader docs = Corpus.read(corpus)) {
      shards = TokenShards.write(stream(docs).limit(documents).iterator(), tok, run.resolve("shards"));
    }
    System.out.printf("%d documents -> %d tokens, %.2f bytes per token%n", shards.documents(), shards.tokens(),
        (double) shards.bytes() / shards.tokens());

    int seqLen = 64;
    int batch = 8;
    PackingIterator data = PackingIterator.open(run.resolve("shards"),
        PackingConfig.of(seqLen, batch).withEpochs(1000).withShuffle(1).withValidationFraction(0.05));
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, tok.vocabSize(), seqLen, 4, 4, 64), 1);
    TrainConfig cfg = TrainConfig.defaults().withLearningRate(3e-3).withMinLearningRate(3e-4)
        .withWarmupSteps(Math.max(1, steps / 10)).withMaxSteps(steps).withMicroBatch(batch).withSeqLen(seqLen)
        .withEvalEvery(100).withEvalBatches(10).withCheckpointEvery(0).withKeepLast(1);
    Trainer trainer = Trainer.builder(lm, cfg)
        .train(data)
        .validation(data.validation(), (double) shards.bytes() / shards.tokens())
        .checkpoints(run.resolve("checkpoints"))
        .metrics(run.resolve("metrics.jsonl"))
        .build();
    Evaluation before = trainer.evaluate();
    TrainResult result = trainer.run();
    System.out.printf("%,d parameters; validation loss %.3f -> %.3f nats after %d steps%n",
        lm.graph().numParams(), before.loss(), result.lastEvaluation().loss(), result.steps());

    lm.save(run.resolve("model"));
    int[] prompt = tok.encode("The state of the Union");
    int[] text = lm.generate(prompt, new GenerationConfig(40, 0.8, 40, 0.95, 1.0,
        new int[] {tok.endOfTextId()}, 1), null);
    System.out.println(tok.decode(text));
  }

  /** The documents of an open reader as a stream (the reader still closes them). */
  private static Stream<Document> stream(CorpusReader docs) {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(docs, Spliterator.ORDERED), false);
  }
}
