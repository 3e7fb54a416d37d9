package io.polyworker.spring.internal;

import com.fasterxml.jackson.databind.JavaType;
import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.PolyworkerException;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.internal.Json;
import io.polyworker.spring.AllVariables;
import io.polyworker.spring.Header;
import io.polyworker.spring.Variable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * A {@code @JobSubscription} method as a {@link JobHandler}: its parameters bound from the job, its
 * return value turned into a {@link JobResult}. Everything that can be checked is checked when it is
 * made, so that a method the starter cannot call fails the application's start, not the jobs.
 */
final class HandlerMethod implements JobHandler {

  /** How one parameter gets its value from a job. */
  @FunctionalInterface
  private interface Binder {
    @Nullable Object bind(Job job);
  }

  private final Object bean;
  private final Method method;
  private final String description;
  private final Binder[] binders;
  private final boolean returnsVariables;

  private HandlerMethod(Object bean, Method method, String description, Binder[] binders,
      boolean returnsVariables) {
    this.bean = bean;
    this.method = method;
    this.description = description;
    this.binders = binders;
    this.returnsVariables = returnsVariables;
  }

  /**
   * The handler for {@code method} of {@code bean}.
   *
   * @throws PolyworkerException naming the bean, the method and the parameter that cannot be bound
   */
  static HandlerMethod of(String beanName, Object bean, Method method, Method invocable) {
    String description = describe(beanName, method);
    Parameter[] parameters = method.getParameters();
    Binder[] binders = new Binder[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      binders[i] = binder(parameters[i], i, description);
    }
    invocable.setAccessible(true);
    return new HandlerMethod(bean, invocable, description, binders, checkReturnType(method, description));
  }

  static String describe(String beanName, Method method) {
    String params = Stream.of(method.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(", "));
    return "method " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + "(" + params
        + ") of bean '" + beanName + "'";
  }

  private static Binder binder(Parameter p, int index, String description) {
    Class<?> type = p.getType();
    Variable variable = p.getAnnotation(Variable.class);
    Header header = p.getAnnotation(Header.class);
    AllVariables all = p.getAnnotation(AllVariables.class);
    String where = "parameter " + (index + 1) + " (" + type.getSimpleName() + " " + p.getName() + ") of "
        + description;
    int annotations = (variable != null ? 1 : 0) + (header != null ? 1 : 0) + (all != null ? 1 : 0);
    if (annotations > 1) {
      throw new PolyworkerException(where + " has more than one of @Variable, @Header, @AllVariables: keep one");
    }
    if (variable != null) {
      String name = variable.value().isEmpty() ? parameterName(p, where) : variable.value();
      return variableBinder(name, p.getParameterizedType(), variable.required() || type.isPrimitive(),
          description);
    }
    if (header != null) {
      if (type != String.class) {
        throw new PolyworkerException(where + ": @Header binds a String, not " + type.getName());
      }
      String name = header.value();
      boolean required = header.required();
      return job -> {
        String value = job.headers().get(name);
        if (value == null && required) {
          throw new VariableException("header '" + name + "' is required by " + description
              + " but job " + job.id() + " has none", null);
        }
        return value;
      };
    }
    if (all != null) {
      if (ClassUtils.isPrimitiveOrWrapper(type) || type == String.class) {
        throw new PolyworkerException(where + ": @AllVariables binds an object with properties, not "
            + type.getName());
      }
      return job -> job.variables().as(type);
    }
    if (type == Job.class) {
      return job -> job;
    }
    if (type == Variables.class) {
      return Job::variables;
    }
    throw new PolyworkerException(where + " cannot be bound: annotate it with @Variable(\"name\"), "
        + "@AllVariables or @Header(\"name\"), or declare it as Job or Variables");
  }

  private static String parameterName(Parameter p, String where) {
    if (!p.isNamePresent()) {
      throw new PolyworkerException(where + ": @Variable has no name and the class was compiled without "
          + "-parameters: write @Variable(\"name\") or compile with -parameters");
    }
    return p.getName();
  }

  private static Binder variableBinder(String name, Type type, boolean required, String description) {
    Class<?> raw = ClassUtils.resolvePrimitiveIfNecessary(rawClass(type));
    JavaType generic = type instanceof ParameterizedType ? Json.MAPPER.constructType(type) : null;
    return job -> {
      Variables variables = job.variables();
      Object value = variables.contains(name) ? variables.get(name) : null;
      if (value == null) {
        if (required) {
          throw new VariableException("variable '" + name + "' is required by " + description
              + " but job " + job.id() + " has " + (variables.contains(name) ? "null" : "none"), null);
        }
        return null;
      }
      if (generic == null) {
        return variables.get(name, raw);
      }
      try {
        return Json.MAPPER.convertValue(value, generic);
      } catch (IllegalArgumentException e) {
        throw new VariableException("variable '" + name + "' does not fit " + generic + " of " + description, e);
      }
    };
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return Object.class;
  }

  /** Whether the method returns variables (as opposed to void or a JobResult); refuses values that cannot be variables. */
  private static boolean checkReturnType(Method method, String description) {
    Class<?> type = method.getReturnType();
    if (type == void.class || type == Void.class || type == JobResult.class) {
      return false;
    }
    if (ClassUtils.isPrimitiveOrWrapper(type) || CharSequence.class.isAssignableFrom(type) || type.isArray()
        || Collection.class.isAssignableFrom(type) || type == Optional.class || type.isEnum()) {
      throw new PolyworkerException("the return type " + type.getName() + " of " + description
          + " cannot be the job's variables: return void, a JobResult, a Map or an object with properties");
    }
    return true;
  }

  @Override
  public JobResult handle(Job job) throws Exception {
    Object[] args = new Object[binders.length];
    for (int i = 0; i < args.length; i++) {
      args[i] = binders[i].bind(job);
    }
    Object value;
    try {
      value = method.invoke(bean, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
    if (value == null) {
      return JobResult.complete();
    }
    if (!returnsVariables) {
      return (JobResult) value;
    }
    return JobResult.complete(asVariables(value));
  }

  private Map<String, @Nullable Object> asVariables(Object value) {
    if (value instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!(key instanceof String)) {
          throw new IllegalArgumentException(description + " returned a Map with the key " + key
              + " of type " + (key == null ? "null" : key.getClass().getName()) + ": variable names are Strings");
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> variables = (Map<String, @Nullable Object>) map;
      return variables;
    }
    return Json.MAPPER.convertValue(value, Json.MAPPER.getTypeFactory()
        .constructMapType(Map.class, String.class, Object.class));
  }

  @Override
  public String toString() {
    return description;
  }
}
