/*
 * The kvm memory tests' fixture: guest memory laid out as the monitor
 * lays it out (region table and shared state in the kernel area, the
 * page-table pool on top), and the address space on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kvm_space.h"

void *kvm_space_new(size_t size)
{
	struct kvm_space *s = calloc(1, size);

	assert_non_null(s);
	s->vm.kvm = s->vm.vm = s->vm.vcpu = -1;
	assert_int_equal(cabin_kvm_vm_layout(&s->vm, 64ull << 20), 0);
	cabin_kvm_mm_init(&s->mm, &s->vm);
	return s;
}

int kvm_space_teardown(void **state)
{
	struct kvm_space *s = *state;

	cabin_kvm_mm_free(&s->mm);
	cabin_kvm_vm_close(&s->vm);
	free(s);
	return 0;
}
