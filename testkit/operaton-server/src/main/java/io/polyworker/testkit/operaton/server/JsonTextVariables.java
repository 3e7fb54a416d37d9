package io.polyworker.testkit.operaton.server;

import java.util.ArrayList;
import org.operaton.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.operaton.bpm.engine.impl.variable.serializer.AbstractSerializableValueSerializer;
import org.operaton.bpm.engine.impl.variable.serializer.ValueFields;
import org.operaton.bpm.engine.variable.impl.value.UntypedValueImpl;
import org.operaton.spin.plugin.variable.type.SpinValueType;
import org.operaton.spin.plugin.variable.value.JsonValue;
import org.operaton.spin.plugin.variable.value.impl.JsonValueImpl;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Stores variables of type {@code Json} as the text the client sent, and answers them as that text.
 *
 * <p>A stand-in for Spin's Jackson data format ({@code operaton-spin-dataformat-json-jackson}), which
 * the registry this project builds from does not serve: without a JSON data format the Spin plugin
 * knows the {@code Json} type but has no serializer for it, and every such variable fails with
 * "Cannot find serializer". Over REST, which only ever sends and reads the serialized text, this
 * behaves like Spin's serializer (same serializer name, same byte-array field); it never parses the
 * JSON, so a value is never deserialized (a Java delegate or script could not read it as a node).
 */
@Configuration(proxyBeanMethods = false)
public class JsonTextVariables {

  /** Registers the serializer before the engine's own ones, as Spin's plugin does. */
  @Bean
  ProcessEnginePlugin jsonTextVariablesPlugin() {
    return new AbstractProcessEnginePlugin() {
      @Override
      public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getCustomPreVariableSerializers() == null) {
          configuration.setCustomPreVariableSerializers(new ArrayList<>());
        }
        configuration.getCustomPreVariableSerializers().add(new Serializer());
      }
    };
  }

  /** Serialized values only: what REST writes, and what it reads back. */
  static final class Serializer extends AbstractSerializableValueSerializer<JsonValue> {
    private static final String FORMAT = "application/json";

    Serializer() {
      super(SpinValueType.JSON, FORMAT);
    }

    @Override
    public String getName() {
      return "spin://" + FORMAT;
    }

    @Override
    public JsonValue readValue(ValueFields fields, boolean deserialize, boolean asTransient) {
      return super.readValue(fields, false, asTransient);
    }

    @Override
    public JsonValue convertToTypedValue(UntypedValueImpl untyped) {
      throw new UnsupportedOperationException("untyped values are never stored as Json here");
    }

    @Override
    protected JsonValue createSerializedValue(String text, ValueFields fields, boolean asTransient) {
      JsonValueImpl value = new JsonValueImpl(text, FORMAT);
      value.setTransient(asTransient);
      return value;
    }

    @Override
    protected JsonValue createDeserializedValue(Object value, String text, ValueFields fields,
        boolean asTransient) {
      return createSerializedValue(text, fields, asTransient);
    }

    @Override
    protected void writeToValueFields(JsonValue value, ValueFields fields, byte[] serialized) {
      fields.setByteArrayValue(serialized);
    }

    @Override
    protected void updateTypedValue(JsonValue value, String text) {
      ((JsonValueImpl) value).setValueSerialized(text);
      ((JsonValueImpl) value).setSerializationDataFormat(FORMAT);
    }

    @Override
    protected boolean canSerializeValue(Object value) {
      return false;
    }

    @Override
    protected byte[] serializeToByteArray(Object value) {
      throw new UnsupportedOperationException("Json values are stored as sent, never serialized here");
    }

    @Override
    protected Object deserializeFromByteArray(byte[] bytes, ValueFields fields) {
      throw new UnsupportedOperationException("Json values are answered as text, never deserialized here");
    }

    @Override
    protected boolean isSerializationTextBased() {
      return true;
    }
  }
}
