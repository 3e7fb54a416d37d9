/** The order demo as a Spring Boot application on the Polyworker starter. Example code, not API. */
@NullMarked
package io.polyworker.examples.spring;

import org.jspecify.annotations.NullMarked;
