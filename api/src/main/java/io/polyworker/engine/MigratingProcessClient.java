package io.polyworker.engine;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.NotFoundException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.spi.Capability;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ProcessClient} for moving from one engine to another while instances still run on the
 * old one: new work goes to the target engine, and messages and cancellations reach the running
 * instance wherever it is. Made with {@link #of(Engine, Engine) of(from, to)}; run one
 * {@code JobWorker} over both engines so that the jobs of both are served.
 *
 * <p>Where each call goes:
 * <ul>
 *   <li>{@link #deploy} — the target engine only. The two engines take different models (each
 *       engine's own extension attributes); deploy to the old engine through
 *       {@code from().processClient()}.
 *   <li>{@link #startProcess(StartProcess)}, {@link #startProcessAndAwait} (and the
 *       {@code startProcess} shortcuts) — the target engine.
 *   <li>{@link #publishMessage} — first correlated on the old engine with a time to live of zero,
 *       so that it reaches an instance waiting there now. When the old engine raises
 *       {@link NotFoundException} (nothing waits for it there), it is published on the target
 *       engine as given, time to live included; Zeebe keeps it for that long. Any other failure of
 *       the old engine propagates and nothing is published on the target: while the old engine is
 *       unreachable ({@link io.polyworker.EngineUnavailableException}) the instance may be waiting
 *       there, so retry the call rather than route around it.
 *   <li>{@link #cancelProcessInstance} — the old engine first; on {@link NotFoundException} the
 *       target engine (which raises {@code NotFoundException} when neither knows the instance).
 * </ul>
 *
 * <p>Why the old engine may not be Zeebe: the message rule needs an old engine that reports a
 * message nobody waits for, as Camunda 7 and Flowable do. Zeebe buffers every message
 * ({@link Capability#MESSAGE_BUFFERING}) and never answers "not found", so every message would
 * stay on it; {@link #of} refuses such an old engine.
 *
 * <p>What the rule does not cover: a message start event still deployed on the old engine counts
 * as waiting there, so such a message starts an instance on the old engine (undeploy or change
 * that model when switching). A message the old engine did not take meets the target's rules as if
 * published there directly: with time to live zero and nothing waiting, Zeebe accepts and drops it,
 * Camunda 7 and Flowable raise {@code NotFoundException}.
 * {@link PublishMessage#messageId()} is checked by each engine on its own, not across the two.
 * {@link #publishMessage} returns the old engine's answer (the id of the instance reached) or the
 * target's (Zeebe: the message key).
 *
 * <p>Thread-safe when the two engines' clients are, as every engine module's are; it holds no state
 * of its own beyond the two engines and starts no threads. Closing the engines is the caller's
 * business.
 */
public final class MigratingProcessClient implements ProcessClient {
  private final Engine from;
  private final Engine to;

  private MigratingProcessClient(Engine from, Engine to) {
    this.from = from;
    this.to = to;
  }

  /**
   * A client for moving from {@code from} (where instances still run) to {@code to} (where new
   * instances start).
   *
   * @throws IllegalArgumentException when both engines have the same {@link Engine#id() id}, or
   *     when {@code from} buffers messages ({@link Capability#MESSAGE_BUFFERING}, Zeebe)
   */
  public static MigratingProcessClient of(Engine from, Engine to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.id().equals(to.id())) {
      throw new IllegalArgumentException("from and to are both '" + from.id()
          + "': a migration needs two different engines");
    }
    if (from.capabilities().has(Capability.MESSAGE_BUFFERING)) {
      throw new IllegalArgumentException("cannot migrate from '" + from.id() + "': it buffers messages"
          + " (MESSAGE_BUFFERING), so it never reports a message as not found and none would reach '"
          + to.id() + "'; the old engine must be one that correlates only to waiting instances"
          + " (Camunda 7, Flowable)");
    }
    return new MigratingProcessClient(from, to);
  }

  /** The old engine, where instances started before the switch still run. */
  public Engine from() {
    return from;
  }

  /** The target engine, where new instances start. */
  public Engine to() {
    return to;
  }

  /** Deploys to the target engine only; see the class comment. */
  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    return to.processClient().deploy(resources);
  }

  /** Starts the instance on the target engine. */
  @Override
  public String startProcess(StartProcess request) {
    return to.processClient().startProcess(request);
  }

  /** Starts the instance on the target engine and waits for it there. */
  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    return to.processClient().startProcessAndAwait(request, timeout);
  }

  /**
   * Correlates the message on the old engine now (time to live zero); only when that raises
   * {@link NotFoundException}, publishes it on the target engine as given. Other failures of the old
   * engine propagate. See the class comment.
   */
  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    Objects.requireNonNull(message, "message");
    try {
      return from.processClient().publishMessage(message.withTimeToLive(Duration.ZERO));
    } catch (NotFoundException nobodyWaitsOnTheOldEngine) {
      return to.processClient().publishMessage(message);
    }
  }

  /** Cancels the instance on the old engine, or on the target when the old one does not know it. */
  @Override
  public void cancelProcessInstance(String processInstanceId) {
    Objects.requireNonNull(processInstanceId, "processInstanceId");
    try {
      from.processClient().cancelProcessInstance(processInstanceId);
    } catch (NotFoundException notOnTheOldEngine) {
      to.processClient().cancelProcessInstance(processInstanceId);
    }
  }

  /** Names the two engines, for example {@code MigratingProcessClient[from=camunda, to=zeebe]}. */
  @Override
  public String toString() {
    return "MigratingProcessClient[from=" + from.id() + ", to=" + to.id() + "]";
  }
}
