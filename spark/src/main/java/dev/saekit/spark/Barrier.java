package dev.saekit.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs one barrier stage of {@code tasks} tasks, all started together (Spark's barrier execution
 * mode), and returns their results in task order. A task that fails fails the stage, and Spark stops
 * the others.
 */
public final class Barrier {
    private Barrier() {}

    /** The work of one task of a barrier stage. */
    @FunctionalInterface
    public interface Task<R extends Serializable> extends Serializable {
        R run(int rank, int size, BarrierTaskContext context) throws Exception;
    }

    /** Runs {@code task} as tasks {@code 0 .. tasks - 1} of one barrier stage; their results by rank. */
    public static <R extends Serializable> List<R> run(JavaSparkContext sc, int tasks, Task<R> task) {
        JavaRDD<Integer> ranks =
                sc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks);
        ClassTag<Object> tag = ClassTag$.MODULE$.apply(Object.class);
        RDD<Object> out = ranks.rdd().barrier().mapPartitions(new Stage<>(task, tasks), false, tag);
        List<R> results = new ArrayList<>();
        for (Object o : out.toJavaRDD().collect()) {
            @SuppressWarnings("unchecked")
            R r = (R) o;
            results.add(r);
        }
        return results;
    }

    /** The function each partition runs: its one rank in, the task's result out. */
    private static final class Stage<R extends Serializable>
            extends scala.runtime.AbstractFunction1<
                    scala.collection.Iterator<Integer>, scala.collection.Iterator<Object>>
            implements Serializable {
        private final Task<R> task;
        private final int size;

        Stage(Task<R> task, int size) {
            this.task = task;
            this.size = size;
        }

        @Override
        public scala.collection.Iterator<Object> apply(scala.collection.Iterator<Integer> ranks) {
            int rank = ranks.next();
            R result;
            try {
                result = task.run(rank, size, BarrierTaskContext.get());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return scala.jdk.javaapi.CollectionConverters.asScala(
                    List.<Object>of(result).iterator());
        }
    }
}
