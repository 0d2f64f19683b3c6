/*
 * Environment building.  `env clear` starts from nothing and `env keep`
 * takes names back from cabin's environment, `env unset` drops names
 * from it; `env set` wins over all three.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "policy/env.h"

static bool name_matches(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(entry, name, n) && entry[n] == '=';
}

static bool kept(const struct cabin_policy *p, const char *entry)
{
	size_t i;

	for (i = 0; i < p->nenv_unset; i++) {
		if (name_matches(entry, p->env_unset[i]))
			return false;
	}
	if (!p->env_clear)
		return true;
	for (i = 0; i < p->nenv_keep; i++) {
		if (name_matches(entry, p->env_keep[i]))
			return true;
	}
	return false;
}

static bool overridden(const struct cabin_policy *p, const char *entry)
{
	size_t i;

	for (i = 0; i < p->nenv_set; i++) {
		if (name_matches(entry, p->env_set[i].name))
			return true;
	}
	return false;
}

char **cabin_env_build(const struct cabin_policy *p, char *const *base)
{
	size_t n = 0, i, out = 0;
	char **env;

	while (base && base[n])
		n++;
	env = calloc(n + p->nenv_set + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++) {
		if (kept(p, base[i]) && !overridden(p, base[i]))
			env[out++] = strdup(base[i]);
		if (out && !env[out - 1])
			goto fail;
	}
	for (i = 0; i < p->nenv_set; i++) {
		size_t len = strlen(p->env_set[i].name) +
			     strlen(p->env_set[i].value) + 2;

		env[out] = malloc(len);
		if (!env[out])
			goto fail;
		snprintf(env[out++], len, "%s=%s", p->env_set[i].name,
			 p->env_set[i].value);
	}
	return env;
fail:
	cabin_env_free(env);
	return NULL;
}

void cabin_env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
