package io.polyworker.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds all variables of the job to one object of the parameter's type (a POJO or a record), as
 * {@link io.polyworker.Variables#as(Class)} does: properties by variable name, unknown variables
 * ignored. Variables that do not fit the type fail the job with a message naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface AllVariables {}
