/**
 * Token shards and the training-batch iterator over them.
 *
 * <ul>
 *   <li>{@link dev.llmj.data.shard.TokenShards}: tokenize a corpus into a shard directory.
 *   <li>{@link dev.llmj.data.shard.ShardWriter}, {@link dev.llmj.data.shard.ShardReader},
 *       {@link dev.llmj.data.shard.ShardIndex}: the binary shard files and their manifest.
 *   <li>{@link dev.llmj.data.shard.PackingIterator}, {@link dev.llmj.data.shard.PackingConfig},
 *       {@link dev.llmj.data.shard.PackingPosition}: (B, T) batches of token ids for DL4J with
 *       seeded shuffling, a validation split and exact resume.
 * </ul>
 *
 * <pre>{@code
 * Tokenizer tok = ...;
 * TokenShards.write(documents, tok, Path.of("shards"), TokenShards.Options.defaults());
 * PackingIterator train = PackingIterator.open(Path.of("shards"),
 *     PackingConfig.of(256, 16).withShuffle(42).withValidationFraction(0.01));
 * }</pre>
 */
package dev.llmj.data.shard;
