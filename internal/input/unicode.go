package input

import (
	"fmt"
	"strings"
)

// invisible names the characters that change how the text around them is
// shown, or separate lines, without showing themselves: bidirectional
// controls, which can make "app\u202Egpj.exe" read as "appexe.jpg",
// zero-width characters, and the Unicode line and paragraph separators.
var invisible = map[rune]string{
	0x061C: "ARABIC LETTER MARK",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR",
	0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
}

// Deceptive returns the first character of s that would let a name look
// like another one (see invisible), as "U+202E RIGHT-TO-LEFT OVERRIDE",
// and true; or "" and false when there is none.
func Deceptive(s string) (string, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { _, ok := invisible[r]; return ok })
	if i < 0 {
		return "", false
	}
	r := []rune(s[i:])[0]
	return fmt.Sprintf("U+%04X %s", r, invisible[r]), true
}
