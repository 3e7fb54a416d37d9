package io.polyworker.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds one process variable to a parameter of a {@link JobSubscription} method, converted to the
 * parameter's type as {@link io.polyworker.Variables#get(String, Class)} does (numbers to any number
 * type without loss, JSON to POJOs, dates to {@code Instant}/{@code OffsetDateTime}/{@code Date}).
 *
 * <p>An absent variable binds {@code null}; with {@link #required()} (or a primitive parameter) it
 * fails the job with a message naming the variable and the method. A value that cannot be converted
 * fails the job the same way.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Variable {

  /** The variable's name; empty (default): the parameter's name (compile with {@code -parameters}). */
  String value() default "";

  /** Whether a job without this variable fails instead of binding {@code null}. Default {@code false}. */
  boolean required() default false;
}
