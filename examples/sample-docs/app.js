// Opens the weekly meeting from the intranet portal.
export function joinWeekly() {
  window.location.href = "trueconf:\c\737734033583@video.example.com%23vcs";
}
