package image

import (
	"bytes"
	"debug/elf"
	"fmt"
)

// elfMachines maps GOARCH names to the ELF machine their binaries carry.
var elfMachines = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"386":     elf.EM_386,
	"arm":     elf.EM_ARM,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// checkStatic makes sure the binary can run on an empty base: a Linux ELF
// executable for arch with no program interpreter (a dynamically linked
// binary fails there with a confusing "no such file or directory").
func checkStatic(bin []byte, arch string) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("the binary is not an ELF executable: %w", err)
	}
	defer f.Close()
	if want, ok := elfMachines[arch]; ok && f.Machine != want {
		return fmt.Errorf("the binary is built for %s, not for %s", f.Machine, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("the binary is dynamically linked; build it with CGO_ENABLED=0")
		}
	}
	return nil
}
