// Package action is provenant's edge to the GitHub Actions runner: the only
// package that reads the runner's environment and talks the workflow
// command protocol (inputs, masks, outputs, step summary, annotations), all
// through go-githubactions. Other packages receive typed values from it.
package action
