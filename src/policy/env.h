/*
 * The environment the confined program starts with: cabin's own, or an
 * empty one, then the variables the policy keeps and sets.
 */
#ifndef CABIN_POLICY_ENV_H
#define CABIN_POLICY_ENV_H

#include "policy/policy.h"

/* A new NULL-terminated array (free with cabin_env_free), or NULL. */
char **cabin_env_build(const struct cabin_policy *p, char *const *base);
void cabin_env_free(char **env);

#endif
