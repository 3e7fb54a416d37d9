package io.polyworker.testkit;

import io.polyworker.engine.Engine;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.worker.JobWorker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * The contracts every engine module must honour, as abstract JUnit 5 tests run against a REAL engine.
 * An engine module runs them with a small subclass that supplies an {@link EngineFixture}:
 *
 * <pre>{@code
 * class CamundaCompatibilityTest extends EngineCompatibilityKit {
 *   protected EngineFixture createFixture() { return new CamundaFixture(LocalCamunda.shared()); }
 * }
 * }</pre>
 *
 * <p>The contracts come in groups, one file each ({@link FetchedJobsKit}, {@link ResultsKit},
 * {@link LocksKit}, {@link WorkerRuntimeKit}, {@link ProductionPathKit}, {@link ProcessClientKit},
 * {@link MalformedAnswersKit}), all built on the helpers of {@link KitSupport}. This class composes
 * them: it opens the fixture once per test class, and each group runs as one of its {@code @Nested}
 * classes (JUnit nests inner classes only, so each group is an abstract class that an inner class
 * here extends), which names the group and tags it.
 *
 * <p>Contracts that need a {@link Capability} the engine lacks are skipped with the engine's own
 * reason ({@link io.polyworker.spi.EngineCapabilities#whyMissing}), so they show up in the report as
 * skipped, never silently absent. Every test deploys its own process with unique ids and topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(EngineCompatibilityKit.NamedAfterTheEngine.class)
public abstract class EngineCompatibilityKit {

  /**
   * Names each contract group after the engine module's subclass ("CamundaCompatibilityTest >
   * Locks"), so that test reports say which engine a contract ran on, not only "Locks".
   */
  static final class NamedAfterTheEngine extends DisplayNameGenerator.Standard {
    @Override
    public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes,
        Class<?> nestedClass) {
      if (enclosingInstanceTypes.isEmpty()) {
        return super.generateDisplayNameForNestedClass(enclosingInstanceTypes, nestedClass);
      }
      return enclosingInstanceTypes.get(enclosingInstanceTypes.size() - 1).getSimpleName() + " > "
          + nestedClass.getSimpleName();
    }
  }

  /** The JUnit tag of the {@link ProductionPath} contracts. */
  public static final String PRODUCTION_PATH = "production-path";

  private EngineFixture fixture;
  private Engine engine;
  private EngineClient client;
  private final List<JobWorker> workers = new CopyOnWriteArrayList<>();

  /** Creates the fixture for the engine under test; called once per test class. */
  protected abstract EngineFixture createFixture();

  @BeforeAll
  void openFixture() {
    fixture = createFixture();
    engine = fixture.engine();
    client = engine.jobClient();
  }

  @AfterAll
  void closeFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeWorkers() {
    workers.forEach(JobWorker::close);
    workers.clear();
  }

  /** The fixture of the engine under test. */
  protected EngineFixture fixture() {
    return fixture;
  }

  /** The engine of the fixture. */
  Engine engine() {
    return engine;
  }

  /** The job operations of the engine. */
  EngineClient client() {
    return client;
  }

  /** Has {@code worker} closed after the current test. */
  void closeAfterTest(JobWorker worker) {
    workers.add(worker);
  }

  // ------------------------------------------------------------------ the contract groups

  /** {@link FetchedJobsKit}. */
  @Nested
  @DisplayName("fetched jobs")
  class FetchedJobs extends FetchedJobsKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /** {@link ResultsKit}. */
  @Nested
  @DisplayName("results")
  class Results extends ResultsKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /** {@link LocksKit}. */
  @Nested
  @DisplayName("locks")
  class Locks extends LocksKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /** {@link WorkerRuntimeKit}. */
  @Nested
  @DisplayName("worker runtime")
  class WorkerRuntime extends WorkerRuntimeKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /**
   * {@link ProductionPathKit}, tagged {@value #PRODUCTION_PATH} so that it can be run alone
   * ({@code -Dgroups=production-path}).
   */
  @Nested
  @Tag(PRODUCTION_PATH)
  @DisplayName("production path")
  class ProductionPath extends ProductionPathKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /** {@link ProcessClientKit}. */
  @Nested
  @DisplayName("process client")
  class ProcessClientContracts extends ProcessClientKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }

  /** {@link MalformedAnswersKit}. */
  @Nested
  @DisplayName("malformed engine answers")
  class MalformedAnswers extends MalformedAnswersKit {
    @Override
    EngineCompatibilityKit kit() {
      return EngineCompatibilityKit.this;
    }
  }
}
