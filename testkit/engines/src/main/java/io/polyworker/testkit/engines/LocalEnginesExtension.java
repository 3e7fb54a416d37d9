package io.polyworker.testkit.engines;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM-wide shared local engines into test parameters:
 *
 * <pre>{@code
 * @ExtendWith(LocalEnginesExtension.class)
 * class MyTest {
 *   @Test
 *   void works(LocalCamunda camunda) {
 *     String url = camunda.restUrl();
 *   }
 * }
 * }</pre>
 *
 * <p>Supported parameter types: {@link LocalCamunda} ({@link LocalCamunda#shared()}), {@link LocalOperaton},
 * {@link LocalFlowable} and {@link LocalZeebe}, each its {@code shared()} engine. An engine is
 * started the first time a test asks for it and then reused by every test class in the JVM; it is
 * stopped when the JVM exits. Works for constructor, lifecycle-method and test-method parameters.
 */
public final class LocalEnginesExtension implements ParameterResolver {

  /** Parameter type -> its shared, started instance. Adding an engine is one line here. */
  private static final Map<Class<?>, Supplier<? extends LocalEngine>> SHARED = Map.of(
      LocalCamunda.class, LocalCamunda::shared,
      LocalOperaton.class, LocalOperaton::shared,
      LocalFlowable.class, LocalFlowable::shared,
      LocalZeebe.class, LocalZeebe::shared);

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return SHARED.containsKey(parameterContext.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return SHARED.get(parameterContext.getParameter().getType()).get();
  }
}
