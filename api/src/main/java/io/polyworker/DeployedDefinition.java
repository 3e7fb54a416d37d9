package io.polyworker;

/**
 * A process (or case / decision) definition the engine created from a deployment.
 *
 * @param key the key used to start it (BPMN process id)
 * @param id the engine's id of this version (Zeebe: process definition key as decimal string)
 * @param version the version number, from 1
 * @param resourceName the deployed file it came from
 */
public record DeployedDefinition(String key, String id, int version, String resourceName) {}
