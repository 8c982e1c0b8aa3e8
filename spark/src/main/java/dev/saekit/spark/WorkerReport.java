package dev.saekit.spark;

import java.io.Serializable;

/**
 * What a training worker reports back to the driver: how its run ended and where its time went;
 * the first worker also its step and epoch history and the checkpoint it saved at the end.
 *
 * @param rank the worker
 * @param status the trainer's status ({@code COMPLETED}, {@code DIVERGED})
 * @param message the trainer's message
 * @param steps the steps it took
 * @param rows the rows of its part
 * @param startSeconds from the task's start to training's: joining the ring, opening the data, loading the model
 * @param trainSeconds the training loop
 * @param phaseSeconds the trainer's phases ({@code Trainer.Phase} order)
 * @param allReduceSeconds time inside the ring's sums (the gradients', and the batch statistics')
 * @param bytesSent bytes this worker sent in sums
 * @param stepRecords the step history (first worker only): step, epoch, loss, r2, l0, grad norm, lr
 * @param epochRecords the epoch history (first worker only): epoch, loss, r2, l0, dead fraction, seconds
 * @param finalCheckpoint the checkpoint of the trained model and optimiser (first worker only)
 */
record WorkerReport(
        int rank,
        String status,
        String message,
        long steps,
        long rows,
        double startSeconds,
        double trainSeconds,
        double[] phaseSeconds,
        double allReduceSeconds,
        long bytesSent,
        double[][] stepRecords,
        double[][] epochRecords,
        String finalCheckpoint)
        implements Serializable {}
