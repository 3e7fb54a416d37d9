package io.polyworker.opentelemetry;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A {@link ProcessClient} that adds the current trace context to the variables it sends. */
final class TracingProcessClient implements ProcessClient {
  private final ProcessClient delegate;
  private final JobTracing tracing;

  TracingProcessClient(ProcessClient delegate, JobTracing tracing) {
    this.delegate = delegate;
    this.tracing = tracing;
  }

  private Map<String, @Nullable Object> withContext(Map<String, @Nullable Object> variables) {
    Map<String, String> context = tracing.contextVariables();
    if (context.isEmpty()) {
      return variables;
    }
    Map<String, @Nullable Object> all = new LinkedHashMap<>(variables);
    all.putAll(context); // the caller's own values for these names are replaced by the current context
    return all;
  }

  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    return delegate.deploy(resources);
  }

  @Override
  public String startProcess(StartProcess request) {
    return delegate.startProcess(request.withVariables(withContext(request.variables())));
  }

  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    return delegate.startProcessAndAwait(request.withVariables(withContext(request.variables())), timeout);
  }

  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    return delegate.publishMessage(message.withVariables(withContext(message.variables())));
  }

  @Override
  public void cancelProcessInstance(String processInstanceId) {
    delegate.cancelProcessInstance(processInstanceId);
  }
}
