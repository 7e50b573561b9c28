package dev.llmj.core.eval;

import java.util.List;

/**
 * Log-likelihoods of continuations after contexts: {@code log P(continuation | context)} in nats, summed
 * over the continuation's tokens. {@link ModelScorer} computes them with a model; tests inject their own.
 */
@FunctionalInterface
public interface LoglikelihoodScorer {

  /** One request: score {@code continuation} (delimiter included) after {@code context}. */
  record Request(String context, String continuation) {}

  /** The summed log-likelihood of each request, in request order. */
  double[] score(List<Request> requests);
}
