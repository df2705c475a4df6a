/**
 * The preflight check names a kind's meta may list (`preflight:`), by what they verify. Spellings
 * that users' --templates-dir kinds already use are accepted for the same check.
 */
/** The target has peer sources the controller can resolve (else ParamsBuildFailed). */
export const PEER_CHECKS: readonly string[] = ['target-has-peers', 'peers', 'peers-resolved', 'has-peers'];
/** The target runs exactly one pod (the controller refuses a multi-replica target). */
export const REPLICA_CHECKS: readonly string[] = ['single-replica', 'target-single-replica'];
