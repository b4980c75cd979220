package control

// CmdShow asks the tincan serving a home to show and raise its window: a
// second start of the desktop app on the same home sends it, then exits. A
// headless daemon has no window and answers with an error.
const CmdShow = "show"

// ShowResult is the desktop app's answer to CmdShow.
type ShowResult struct {
	// Shown is false while the app is quitting: the second start then
	// waits for it to be gone and starts in its place.
	Shown bool `json:"shown"`
}
