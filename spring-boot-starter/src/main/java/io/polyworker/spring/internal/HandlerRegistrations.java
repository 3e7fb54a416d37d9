package io.polyworker.spring.internal;

import io.polyworker.JobHandler;
import io.polyworker.PolyworkerException;
import io.polyworker.spring.JobSubscription;
import io.polyworker.spring.TopicHandler;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Finds the handlers of an application context: every {@code @JobSubscription} method of any bean,
 * and every {@link JobHandler} bean whose class or {@code @Bean} method carries the annotation.
 * Two handlers for one topic fail, naming both.
 */
public final class HandlerRegistrations {

  /**
   * One handler found in the context.
   *
   * @param topic the topic, placeholders resolved
   * @param handler the handler
   * @param annotation its annotation, or null for a {@link TopicHandler} bean or a work unit
   * @param source what it is, for messages: the bean, and the method if it is one
   */
  public record Registration(String topic, JobHandler handler, @Nullable JobSubscription annotation, String source) {}

  private HandlerRegistrations() {}

  /**
   * All handlers of the context, in bean-definition order: annotated methods and handler beans,
   * {@link TopicHandler} beans, and the work units of {@code polyworker.units.*}.
   *
   * @throws PolyworkerException naming the bean and method that cannot be bound, or the two
   *     handlers of one topic
   */
  public static List<Registration> find(ConfigurableListableBeanFactory beans, Environment environment) {
    Map<String, Registration> byTopic = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>(List.of(beans.getBeanDefinitionNames()));
    names.addAll(List.of(beans.getSingletonNames())); // also beans registered as ready instances
    for (String name : names) {
      if (name.startsWith("scopedTarget.")) {
        continue;
      }
      Class<?> type = beans.getType(name, false);
      if (type == null || !AnnotationUtils.isCandidateClass(type, JobSubscription.class)
          && !TopicHandler.class.isAssignableFrom(type) && !TopicHandlers.class.isAssignableFrom(type)) {
        continue;
      }
      if (TopicHandler.class.isAssignableFrom(type)) {
        TopicHandler t = (TopicHandler) beans.getBean(name);
        add(byTopic, new Registration(t.topic(), t.handler(), null, "TopicHandler bean '" + name + "'"));
        continue;
      }
      if (TopicHandlers.class.isAssignableFrom(type)) {
        for (TopicHandler t : ((TopicHandlers) beans.getBean(name)).handlers()) {
          add(byTopic, new Registration(t.topic(), t.handler(), null, t.handler() + " of bean '" + name + "'"));
        }
        continue;
      }
      Class<?> userType = ClassUtils.getUserClass(type);
      Map<Method, JobSubscription> methods = MethodIntrospector.selectMethods(userType,
          (MethodIntrospector.MetadataLookup<JobSubscription>) m ->
              AnnotatedElementUtils.findMergedAnnotation(m, JobSubscription.class));
      JobSubscription onBean = beans.findAnnotationOnBean(name, JobSubscription.class, false);
      if (methods.isEmpty() && onBean == null) {
        continue;
      }
      Object bean = beans.getBean(name);
      if (onBean != null) {
        if (!(bean instanceof JobHandler handler)) {
          throw new PolyworkerException("bean '" + name + "' (" + userType.getName() + ") is annotated "
              + "@JobSubscription but is not a JobHandler: implement JobHandler, or annotate its methods instead");
        }
        add(byTopic, new Registration(topic(onBean, environment, "bean '" + name + "'"), handler, onBean,
            "bean '" + name + "'"));
      }
      methods.entrySet().stream()
          .sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
          .forEach(e -> {
            Method method = e.getKey();
            String source = HandlerMethod.describe(name, method);
            Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            add(byTopic, new Registration(topic(e.getValue(), environment, source),
                HandlerMethod.of(name, bean, method, invocable), e.getValue(), source));
          });
    }
    return new ArrayList<>(byTopic.values());
  }

  private static String topic(JobSubscription annotation, Environment environment, String source) {
    String topic;
    try {
      topic = environment.resolveRequiredPlaceholders(annotation.topic()).strip();
    } catch (IllegalArgumentException e) {
      throw new PolyworkerException("@JobSubscription(topic = \"" + annotation.topic() + "\") on " + source
          + ": " + e.getMessage(), e);
    }
    if (topic.isEmpty()) {
      throw new PolyworkerException("@JobSubscription on " + source + " has a blank topic");
    }
    return topic;
  }

  private static void add(Map<String, Registration> byTopic, Registration r) {
    @Nullable Registration other = byTopic.putIfAbsent(r.topic(), r);
    if (other != null) {
      throw new PolyworkerException("topic '" + r.topic() + "' has two handlers: " + other.source() + " and "
          + r.source() + "; one topic takes one handler");
    }
  }
}
