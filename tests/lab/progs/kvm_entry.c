/*
 * kvm_entry entry|code: jump at CPL3 to the kvm proxy kernel's syscall
 * entry (0x10018, where a PVM host's `syscall` leaves the program still
 * at CPL3) or into its code (0x10100): the fault the lab's real KVM
 * cannot produce from a syscall, produced by hand.  Prints "jumping to
 * ADDR" first, so a test sees the program ran up to the jump.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned long to;

	if (argc != 2 || (strcmp(argv[1], "entry") && strcmp(argv[1], "code"))) {
		fprintf(stderr, "usage: kvm_entry entry|code\n");
		return 2;
	}
	to = !strcmp(argv[1], "entry") ? 0x10018 : 0x10100;
	printf("jumping to 0x%lx\n", to);
	fflush(stdout);
	((void (*)(void))to)();
	printf("returned\n");
	return 3;
}
