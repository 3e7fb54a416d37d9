package io.polyworker.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds one custom header of the job (a Zeebe task header, a Camunda extension property) to a
 * {@code String} parameter of a {@link JobSubscription} method. An absent header binds {@code null};
 * with {@link #required()} it fails the job with a message naming the header and the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Header {

  /** The header's name. */
  String value();

  /** Whether a job without this header fails instead of binding {@code null}. Default {@code false}. */
  boolean required() default false;
}
