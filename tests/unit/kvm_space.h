/*
 * The fixture of the kvm memory tests: a guest's memory and page-table
 * pool with no KVM behind them, and the monitor's address space on it.
 */
#ifndef CABIN_TEST_KVM_SPACE_H
#define CABIN_TEST_KVM_SPACE_H

#include <stddef.h>

#include "platform/kvm/linux/mm.h"

struct kvm_space {
	struct cabin_kvm_vm vm;
	struct cabin_kvm_mm mm;
};

/*
 * A zeroed fixture of size bytes that begins with a struct kvm_space,
 * its guest memory 64 MiB; fails the test when it cannot be made.
 */
void *kvm_space_new(size_t size);
/* cmocka teardown of a fixture from kvm_space_new. */
int kvm_space_teardown(void **state);

#endif
