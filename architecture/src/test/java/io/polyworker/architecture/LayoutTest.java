package io.polyworker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import java.util.Timer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout the README's module table promises, checked on the main classes of the shipped
 * modules (api, worker, engine-support and the three engines; tests, the test kit and the
 * benchmarks are not imported).
 */
class LayoutTest {
  /** The packages of polyworker-api. */
  private static final String[] API = {"io.polyworker", "io.polyworker.spi", "io.polyworker.internal",
      "io.polyworker.engine"};
  private static final String[] ENGINES = {"io.polyworker.camunda..", "io.polyworker.flowable..",
      "io.polyworker.zeebe..", "io.polyworker.support.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.polyworker");
  }

  @Test
  void noPackageDependsOnItselfThroughAnother() {
    slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
        return SliceIdentifier.of(javaClass.getPackageName());
      }

      @Override
      public String getDescription() {
        return "every package of io.polyworker";
      }
    }).should().beFreeOfCycles().check(classes);
  }

  @Test
  void theApiStartsNoThreadsAndNoExecutors() {
    noClasses().that().resideInAnyPackage(API)
        .should().dependOnClassesThat().belongToAnyOf(Executors.class, ExecutorService.class,
            ScheduledExecutorService.class, ThreadPoolExecutor.class, ScheduledThreadPoolExecutor.class,
            ForkJoinPool.class, ThreadFactory.class, Timer.class)
        .orShould().callConstructorWhere(JavaConstructorCall.Predicates.target(
            HasOwner.Predicates.With.owner(JavaClass.Predicates.assignableTo(Thread.class))))
        .orShould().callMethod(Thread.class, "start")
        .because("polyworker-api is the contract; the runtime (polyworker-worker) owns every thread")
        .check(classes);
  }

  @Test
  void noEngineUsesTheRuntime() {
    noClasses().that().resideInAnyPackage(ENGINES)
        .should().dependOnClassesThat().resideInAPackage("io.polyworker.worker..")
        .because("engines answer the runtime's calls through io.polyworker.spi and never depend on it")
        .check(classes);
  }

  @Test
  void theRuntimesInternalsStayInside() {
    noClasses().that().resideOutsideOfPackage("io.polyworker.worker..")
        .should().dependOnClassesThat().resideInAPackage("io.polyworker.worker.internal..")
        .check(classes);
  }

  @Test
  void theApiDependsOnNoOtherModule() {
    noClasses().that().resideInAnyPackage(API)
        .should().dependOnClassesThat().resideInAnyPackage("io.polyworker.worker..",
            "io.polyworker.support..", "io.polyworker.camunda..", "io.polyworker.flowable..",
            "io.polyworker.zeebe..")
        .check(classes);
  }

  /**
   * The starter's optional integrations are optional: only the configuration of each (and, for
   * health, its indicator) touches its library, so a context without that library never loads it.
   */
  @Test
  void theStartersOptionalLibrariesStayInTheirOwnConfigurations() {
    String[][] rules = {
        {"io.micrometer..", "PolyworkerMetricsAutoConfiguration"},
        {"io.opentelemetry..", "PolyworkerTracingAutoConfiguration"},
        {"org.springframework.boot.health..", "PolyworkerHealthAutoConfiguration|PolyworkerHealthIndicator"},
        {"org.springframework.boot.actuate..", "PolyworkerInfoAutoConfiguration|PolyworkerInfoContributor"},
        {"io.polyworker.units..", "PolyworkerUnitsAutoConfiguration|UnitRegistrations"}};
    for (String[] rule : rules) {
      noClasses().that().resideInAPackage("io.polyworker.spring..")
          .and().haveSimpleNameNotStartingWith("$")
          .and(com.tngtech.archunit.base.DescribedPredicate.describe("not " + rule[1],
              (JavaClass c) -> !c.getSimpleName().matches(rule[1]) && !c.getName().matches(".*\\.(" + rule[1] + ")\\$.*")))
          .should().dependOnClassesThat().resideInAPackage(rule[0])
          .check(classes);
    }
  }
}
