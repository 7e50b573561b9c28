package example;

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
import java.nio.file.Path;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A tiny pre-training run through the public API: tokenizer, shards, packing, a GPT-2 model, the trainer. */
public final class TinyPretraining {

  /** Validation loss before and after training. */
  public record Result(double lossBefore, double lossAfter, long steps) {}

  private TinyPretraining() {}

  public static Result run(Path dir, int steps) throws Exception {
    Path corpus = EmbeddedCorpus.SOTU.copyTo(dir.resolve("data"));
    BpeTokenizer tok;
    try (CorpusReader docs = Corpus.read(corpus)) {
      tok = new BpeTrainer(BpeTrainer.Config.of(512)).train(stream(docs).limit(40).map(Document::text));
    }
    TokenShards.Stats shards;
    try (CorpusReader docs = Corpus.read(corpus)) {
      shards = TokenShards.write(stream(docs).limit(40).iterator(), tok, dir.resolve("shards"));
    }
    int seqLen = 64;
    int batch = 4;
    PackingIterator data = PackingIterator.open(dir.resolve("shards"),
        PackingConfig.of(seqLen, batch).withEpochs(100).withShuffle(1).withValidationFraction(0.05));
    // head size 64 / 4 = 16 floats: the native attention's AVX-512 and AVX2 paths both take it
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, tok.vocabSize(), seqLen, 2, 4, 64), 1);
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("lr=3e-3", "min_lr=3e-4", "warmup_steps=5",
        "max_steps=" + steps, "micro_batch=" + batch, "seq_len=" + seqLen, "eval_every=" + steps, "eval_batches=4",
        "checkpoint_every=0", "keep_last=1"));
    Trainer trainer = Trainer.builder(lm, cfg)
        .train(data)
        .validation(data.validation(), (double) shards.bytes() / shards.tokens())
        .checkpoints(dir.resolve("checkpoints"))
        .build();
    Evaluation before = trainer.evaluate();
    TrainResult result = trainer.run();
    return new Result(before.loss(), result.lastEvaluation().loss(), result.steps());
  }

  public static void main(String[] args) throws Exception {
    System.out.println(run(Path.of(args.length > 0 ? args[0] : "tiny-run"), 40));
  }

  private static Stream<Document> stream(CorpusReader docs) {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(docs, Spliterator.ORDERED), false);
  }
}
