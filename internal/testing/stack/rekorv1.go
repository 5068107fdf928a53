package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// startRekorV1 runs Rekor v1: MariaDB (whose data dir installDB is
// creating), Trillian's log server and signer, a fresh tree, rekor-server.
func (s *Stack) startRekorV1(ctx context.Context, installDB *proc) error {
	schema, err := s.trillianSchema()
	if err != nil {
		return &StartError{Service: "mariadb", Err: err}
	}
	if err := s.startMariaDB(ctx, installDB, schema); err != nil {
		return err
	}
	if err := s.startTrillian(ctx); err != nil {
		return err
	}
	out, err := s.run(ctx, "createtree", nil, "createtree", "--admin_server="+host+":"+portTrillianServerRPC)
	if err != nil {
		return err
	}
	tree := strings.TrimSpace(string(out))
	if err := os.WriteFile(filepath.Join(s.Dir, "rekor_v1_tree_id"), []byte(tree+"\n"), 0o644); err != nil {
		return &StartError{Service: "createtree", Err: err}
	}
	s.RekorV1URL = rekorV1URL
	// The hostname is the checkpoint origin; verifiers look for it in baseUrl.
	p, err := s.start("rekor-server", syscall.SIGTERM, nil, "rekor-server", "serve",
		"--rekor_server.address="+host, "--port="+portRekorV1, "--rekor_server.hostname="+host+":"+portRekorV1,
		"--trillian_log_server.address="+host, "--trillian_log_server.port="+portTrillianServerRPC,
		"--trillian_log_server.tlog_id="+tree, "--rekor_server.signer=memory",
		"--search_index.storage_provider=mysql",
		"--search_index.mysql.dsn=trillian:trillian@tcp("+host+":"+portMariaDB+")/rekor_index")
	if err != nil {
		return err
	}
	return s.waitHTTP(ctx, "rekor-server", p, rekorV1URL+"/api/v1/log")
}

// trillianSchema reads Trillian's MySQL schema, which install-tools.sh
// keeps in the tools dir, or else finds in the module cache.
func (s *Stack) trillianSchema() ([]byte, error) {
	paths := []string{}
	if s.Config.ToolsDir != "" {
		paths = append(paths, filepath.Join(s.Config.ToolsDir, "share", "trillian-storage.sql"))
	}
	for _, kv := range s.goEnv {
		if v, ok := strings.CutPrefix(kv, "GOMODCACHE="); ok {
			paths = append(paths, filepath.Join(v, "github.com", "google", "trillian@v1.8.0", "storage", "mysql", "schema", "storage.sql"))
		}
	}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("trillian's MySQL schema is missing (looked in %s); scripts/install-tools.sh rekor-v1 installs it",
		strings.Join(paths, ", "))
}

// startMariaDB starts mariadbd on the data dir installDB made, and creates
// the databases and Trillian's tables.
func (s *Stack) startMariaDB(ctx context.Context, installDB *proc, schema []byte) error {
	select {
	case <-installDB.done:
	case <-ctx.Done():
		return installDB.fail(ctx.Err())
	}
	if !installDB.cmd.ProcessState.Success() {
		return installDB.fail(fmt.Errorf("%w (%v)", errExited, installDB.cmd.ProcessState))
	}
	sock := filepath.Join(s.Dir, "my.sock")
	// As root, mariadbd refuses to start without --user=root.
	p, err := s.start("mariadb", syscall.SIGTERM, nil, "mariadbd", "--no-defaults", "--datadir="+filepath.Join(s.Dir, "db"),
		"--socket="+sock, "--bind-address="+host, "--port="+portMariaDB, "--user=root", "--skip-log-bin",
		"--innodb-buffer-pool-size=64M", "--pid-file="+filepath.Join(s.Dir, "mariadb.pid"))
	if err != nil {
		return err
	}
	client := []string{"--no-defaults", "--socket=" + sock, "-uroot"}
	if err := s.waitUntil(ctx, "mariadb", p, s.commandReady("mariadb-admin", append(client, "ping")...)); err != nil {
		return err
	}
	user := "'trillian'@'" + host + "'"
	sql := "CREATE DATABASE trillian; CREATE DATABASE rekor_index; CREATE USER " + user + " IDENTIFIED BY 'trillian'; " +
		"GRANT ALL ON trillian.* TO " + user + "; GRANT ALL ON rekor_index.* TO " + user + ";"
	if _, err := s.run(ctx, "mariadb-client", nil, "mariadb", append(client, "-e", sql)...); err != nil {
		return err
	}
	_, err = s.run(ctx, "mariadb-client", schema, "mariadb", append(client, "trillian")...)
	return err
}

// startTrillian runs Trillian's log server and signer. Trillian sleeps a
// hard-coded 5 s on SIGTERM (the signer 10 s) before it exits; its state is
// in MariaDB, which is thrown away, so it is stopped with SIGKILL.
func (s *Stack) startTrillian(ctx context.Context) error {
	dsn := "--mysql_uri=trillian:trillian@tcp(" + host + ":" + portMariaDB + ")/trillian"
	common := []string{"--storage_system=mysql", "--quota_system=noop", dsn}
	server, err := s.start("trillian_log_server", syscall.SIGKILL, nil, "trillian_log_server", append(common,
		"--rpc_endpoint="+host+":"+portTrillianServerRPC, "--http_endpoint="+host+":"+portTrillianServerWeb)...)
	if err != nil {
		return err
	}
	signer, err := s.start("trillian_log_signer", syscall.SIGKILL, nil, "trillian_log_signer", append(common,
		"--rpc_endpoint="+host+":"+portTrillianSignerRPC, "--http_endpoint="+host+":"+portTrillianSignerWeb,
		"--force_master", "--sequencer_interval=100ms", "--batch_size=100")...)
	if err != nil {
		return err
	}
	if err := s.waitHTTP(ctx, "trillian_log_server", server, "http://"+host+":"+portTrillianServerWeb+"/healthz"); err != nil {
		return err
	}
	return s.waitHTTP(ctx, "trillian_log_signer", signer, "http://"+host+":"+portTrillianSignerWeb+"/healthz")
}
