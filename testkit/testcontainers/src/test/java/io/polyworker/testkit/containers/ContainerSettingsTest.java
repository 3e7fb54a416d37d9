package io.polyworker.testkit.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.flowable.FlowableEngine;
import io.polyworker.testkit.engines.EngineEndpoint;
import io.polyworker.zeebe.ZeebeEngine;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What the containers promise without starting one (so without Docker). */
class ContainerSettingsTest {

  @Test
  void theSettingsKeysAreTheEngineModulesOwn() {
    assertThat(FlowableContainer.PROCESS_API_PATH_KEY).isEqualTo(FlowableEngine.PROCESS_API_PATH);
    assertThat(FlowableContainer.EXTERNAL_JOB_API_PATH_KEY).isEqualTo(FlowableEngine.EXTERNAL_JOB_API_PATH);
    assertThat(EngineEndpoint.zeebePlaintext(URI.create("http://localhost:26500")).get(ZeebeEngine.PLAINTEXT))
        .isEqualTo("true");
  }

  @Test
  void theDefaultImagesAreTheVersionsTheProjectTests() {
    assertThat(CamundaContainer.DEFAULT_IMAGE).isEqualTo("camunda/camunda-bpm-platform:run-7.24.0");
    assertThat(OperatonContainer.DEFAULT_IMAGE).isEqualTo("operaton/operaton:1.0.3");
    assertThat(FlowableContainer.DEFAULT_IMAGE).isEqualTo("flowable/flowable-rest:7.2.0");
    assertThat(Camunda8Container.DEFAULT_IMAGE).startsWith("camunda/camunda:8.8.");
  }

  @Test
  void theCamunda8WaitNeedsAHealthyLeader() {
    String ready = "{\"brokers\":[{\"nodeId\":0,\"partitions\":[{\"partitionId\":1,\"role\":\"leader\",\"health\":\"healthy\"}]}]}";
    String follower = "{\"brokers\":[{\"nodeId\":0,\"partitions\":[{\"partitionId\":1,\"role\":\"follower\",\"health\":\"healthy\"}]}]}";
    String unhealthy = "{\"brokers\":[{\"partitions\":[{\"partitionId\": 1, \"role\": \"leader\", \"health\": \"unhealthy\"}]}]}";
    assertThat(Camunda8Container.leadsHealthily(ready)).isTrue();
    assertThat(Camunda8Container.leadsHealthily(follower)).isFalse();
    assertThat(Camunda8Container.leadsHealthily(unhealthy)).isFalse();
  }

  @Test
  void aContainerIsMadeWithoutDocker() {
    CamundaContainer camunda = new CamundaContainer();
    assertThat(camunda.getExposedPorts()).containsExactly(CamundaRestContainer.HTTP_PORT);
    assertThat(camunda.isRunning()).isFalse();
  }
}
