package action

import "testing"

func TestEnv_URLs(t *testing.T) {
	tests := []struct {
		name          string
		env           map[string]string
		server, api   string
		runnerTempDir string
	}{
		{name: "outside Actions", server: "https://github.com", api: "https://api.github.com"},
		{name: "github.com runner",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://api.github.com", "RUNNER_TEMP": "/runner/_work/_temp"},
			server: "https://github.com", api: "https://api.github.com", runnerTempDir: "/runner/_work/_temp"},
		{name: "GHE.com tenant",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://octo.ghe.com/", "GITHUB_API_URL": "https://api.octo.ghe.com/"},
			server: "https://octo.ghe.com", api: "https://api.octo.ghe.com"},
		{name: "Enterprise Server without GITHUB_API_URL",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://ghes.example.com"},
			server: "https://ghes.example.com", api: "https://ghes.example.com/api/v3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(WithGetenv(func(k string) string { return tt.env[k] }))
			if got := e.ServerURL(); got != tt.server {
				t.Errorf("ServerURL() = %q, want %q", got, tt.server)
			}
			if got := e.APIURL(); got != tt.api {
				t.Errorf("APIURL() = %q, want %q", got, tt.api)
			}
			if got := e.TempDir(); got != tt.runnerTempDir {
				t.Errorf("TempDir() = %q, want %q", got, tt.runnerTempDir)
			}
		})
	}
}
