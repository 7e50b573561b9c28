package dev.llmj.core.train;

/**
 * Summary of {@link Trainer#run()}.
 *
 * @param steps optimizer steps completed (including those of a resumed-from run)
 * @param tokens training tokens consumed
 * @param lastLoss training loss of the last step
 * @param lastEvaluation the final validation result, null without a validation iterator
 * @param bestValidationLoss lowest validation loss seen, NaN without validation
 * @param skippedSteps steps skipped for a non-finite loss or gradient
 * @param resumedFromStep step of the checkpoint the run resumed from, -1 for a fresh run
 */
public record TrainResult(long steps, long tokens, double lastLoss, Evaluation lastEvaluation,
    double bestValidationLoss, long skippedSteps, long resumedFromStep) {}
