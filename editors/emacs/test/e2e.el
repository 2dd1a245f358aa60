;;; e2e.el --- trueconf-lsp in real Emacs with eglot  -*- lexical-binding: t -*-

;; End-to-end test of the eglot configuration in editors/README.md against the
;; real server. It evaluates the README's Emacs snippets exactly as written
;; (the elisp blocks of the "Emacs (eglot)" section), then opens a Markdown and
;; an HTML file in the same session, Markdown first, and checks:
;;   - each buffer gets its own server with its own language id;
;;   - the diagnostics eglot hands to Flymake sit where `trueconf-lsp --check
;;     --output-format json' puts them (line and character column), on a line
;;     with emoji and CJK before the links (UTF-16 columns differ from
;;     character columns there), including the HTML `<script>' finding;
;;   - the hover text explains the link and never shows the password;
;;   - a quick fix applied through `eglot-code-actions';
;;   - completion of parameter names after `&';
;;   - the README's `trueconf-lsp-fix-all' command.
;; Run by run.sh:
;;   TRUECONF_LSP_BIN=target/debug/trueconf-lsp emacs --batch -l editors/emacs/test/e2e.el

(require 'cl-lib)
(require 'subr-x)

(defvar e2e-passed 0)
(defvar e2e-failed nil)
(defconst e2e-timeout 20 "Seconds to wait for the server.")
(defconst e2e-secret "Sup3rSecret-e2e")

(defun e2e-fail (fmt &rest args)
  (error "%s" (apply #'format fmt args)))

(defmacro e2e-case (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body
              (setq e2e-passed (1+ e2e-passed))
              (message "ok   %s" ,name))
     (error (push ,name e2e-failed)
            (message "FAIL %s\n     %s" ,name (error-message-string err)))))

(defun e2e-wait (what pred)
  "Process output and timers until PRED is non-nil; fail naming WHAT."
  (let ((deadline (+ (float-time) e2e-timeout)) value)
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (e2e-fail "timed out after %d s waiting for %s" e2e-timeout what))))

;;; Setup: the server on PATH as `trueconf-lsp', a scratch project.

(defconst e2e-here (file-name-directory (or load-file-name buffer-file-name)))
(defconst e2e-readme (expand-file-name "../../README.md" e2e-here))
(defconst e2e-bin
  (let ((bin (getenv "TRUECONF_LSP_BIN")))
    (unless (and bin (file-executable-p bin))
      (message "emacs e2e: TRUECONF_LSP_BIN is not an executable: %s" bin)
      (kill-emacs 2))
    (expand-file-name bin)))
(defconst e2e-dir (file-name-as-directory (make-temp-file "trueconf-emacs-e2e" t)))

(let ((bindir (expand-file-name "bin" e2e-dir)))
  (make-directory bindir)
  (make-symbolic-link e2e-bin (expand-file-name "trueconf-lsp" bindir))
  (setenv "PATH" (concat bindir path-separator (getenv "PATH")))
  (push bindir exec-path))

(defun e2e-write (name text)
  (with-temp-file (expand-file-name name e2e-dir)
    (set-buffer-file-coding-system 'utf-8-unix)
    (insert text)))

;; The same settings as the README snippet sends, for the CLI to compare with.
(e2e-write "trueconf-lsp.toml" "ignore = [\"TC015\"]\nallowed-servers = [\"video.example.com\"]\n")
;; Line 3: two emoji (two UTF-16 units each) and CJK before the links.
(e2e-write "doc.md" (concat "# Rooms\n\n"
                            "Call 🙂 我们的 🎉 [room](trueconf:login=alice&password="
                            e2e-secret "&force=1) or [old](visicall:bob@video.example.com)\n\n"
                            "trueconf:c4/join?confid=room&\n"))
;; The <script> finding (TC014: JavaScript eats `\c') exists only for HTML:
;; sent as `markdown', it vanishes.
(e2e-write "page.html" (concat "<!doctype html>\n"
                               "<p>é 🙂 我们 <a href=\"trueconf:bob@video.example.com&amp;password="
                               e2e-secret "\">x</a></p>\n"
                               "<script>\n  const room = \"trueconf:\\c\\737734033583\";\n</script>\n"))

;;; The README's snippets, as written.

(defun e2e-readme-snippets ()
  "The elisp blocks of the README's \"Emacs (eglot)\" section."
  (with-temp-buffer
    (insert-file-contents e2e-readme)
    (goto-char (point-min))
    (unless (re-search-forward "^## Emacs (eglot)$" nil t)
      (e2e-fail "no \"## Emacs (eglot)\" section in %s" e2e-readme))
    (let ((end (save-excursion (if (re-search-forward "^## " nil t) (point) (point-max))))
          blocks)
      (while (re-search-forward "^```elisp\n" end t)
        (let ((beg (point)))
          (re-search-forward "^```$" end)
          (push (buffer-substring-no-properties beg (match-beginning 0)) blocks)))
      (nreverse blocks))))

(package-initialize)                    ; Debian's elpa-* packages
(setq confirm-kill-processes nil
      eglot-sync-connect t
      eglot-autoshutdown nil)

(defvar e2e-snippets nil)
(e2e-case "README: the Emacs snippets load"
	  (setq e2e-snippets (e2e-readme-snippets))
	  (unless (= (length e2e-snippets) 2)
	    (e2e-fail "expected 2 elisp blocks, found %d" (length e2e-snippets)))
	  (dolist (s e2e-snippets)
	    (with-temp-buffer
	      (insert s)
	      (eval-buffer)))
	  (require 'markdown-mode)
	  (require 'eglot)
	  (unless (fboundp 'trueconf-lsp-fix-all)
	    (e2e-fail "trueconf-lsp-fix-all is not defined")))

(message "emacs e2e: Emacs %s, eglot %s, markdown-mode %s"
         emacs-version
         (if-let ((d (cadr (assq 'eglot package-alist)))) (package-version-join (package-desc-version d)) "?")
         (if-let ((d (cadr (assq 'markdown-mode package-alist)))) (package-version-join (package-desc-version d)) "?"))

;;; Helpers over real eglot/Flymake state.

(defun e2e-open (name)
  "Visit NAME as a user would; eglot-ensure connects after the command."
  (let ((buf (find-file-noselect (expand-file-name name e2e-dir))))
    (switch-to-buffer buf)
    (run-hooks 'post-command-hook)      ; the command loop's turn, where eglot-ensure connects
    (with-current-buffer buf
      (e2e-wait (format "eglot to manage %s" name) (lambda () (eglot-current-server))))
    buf))

(defun e2e-diags (buf)
  "Flymake's eglot diagnostics in BUF as sorted (CODE LINE COL END-LINE END-COL), 1-based
character columns, end exclusive, like the CLI's JSON."
  (with-current-buffer buf
    (sort
     (cl-loop for d in (flymake-diagnostics)
              for spec = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
              when spec
              collect (let ((b (flymake-diagnostic-beg d)) (e (flymake-diagnostic-end d)))
                        (list (plist-get spec :code)
                              (line-number-at-pos b t)
                              (1+ (- b (save-excursion (goto-char b) (line-beginning-position))))
                              (line-number-at-pos e t)
                              (1+ (- e (save-excursion (goto-char e) (line-beginning-position)))))))
     (lambda (a b) (string< (format "%S" a) (format "%S" b))))))

(defun e2e-wait-diags (buf pred what)
  "Wait until PRED holds for BUF's diagnostics; on a timeout, show the last ones."
  (with-current-buffer buf
    (condition-case err
        (e2e-wait what (lambda ()
			 ;; Batch Emacs never goes idle: do what eglot's idle
			 ;; timer does (send pending edits) and start Flymake.
			 (eglot--signal-textDocument/didChange)
			 (flymake-start)
                         (let ((d (e2e-diags buf))) (and (funcall pred d) d))))
      (error (e2e-fail "%s; the diagnostics: %S" (error-message-string err) (e2e-diags buf))))))

(defun e2e-cli (&rest files)
  "The CLI's findings per file: alist FILE -> sorted (CODE LINE COL END-LINE END-COL)."
  (with-temp-buffer
    (let* ((default-directory e2e-dir)
           (status (apply #'call-process e2e-bin nil (list t nil) nil
                          "--check" "--output-format" "json" files)))
      (unless (eql status 1)
        (e2e-fail "trueconf-lsp --check exited %s (expected 1):\n%s" status (buffer-string)))
      (goto-char (point-min))
      (let ((json (json-parse-buffer :object-type 'plist :array-type 'list)) out)
        (dolist (d (plist-get json :diagnostics))
          (let* ((r (plist-get d :range)) (s (plist-get r :start)) (e (plist-get r :end)))
            (push (list (plist-get d :code) (plist-get s :line) (plist-get s :column)
                        (plist-get e :line) (plist-get e :column))
                  (alist-get (plist-get d :path) out nil nil #'equal))))
        (mapcar (lambda (c) (cons (car c) (sort (cdr c) (lambda (a b) (string< (format "%S" a) (format "%S" b))))))
                out)))))

(defun e2e-find (buf code)
  "Point range (BEG . END) of BUF's first diagnostic with CODE."
  (with-current-buffer buf
    (cl-loop for d in (flymake-diagnostics)
             when (equal code (plist-get (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d)) :code))
             return (cons (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))))

(defun e2e-line (buf n)
  (with-current-buffer buf
    (save-excursion (goto-char (point-min)) (forward-line (1- n))
                    (buffer-substring-no-properties (line-beginning-position) (line-end-position)))))

;;; The cases.

(defvar e2e-md nil)
(defvar e2e-html nil)
(defvar e2e-expected nil)

(e2e-case "CLI: findings for the two files"
	  (setq e2e-expected (e2e-cli "doc.md" "page.html"))
	  (unless (assoc "page.html" e2e-expected) (e2e-fail "CLI: no findings in page.html"))
	  (unless (assoc "TC014" (cdr (assoc "page.html" e2e-expected)))
	    (e2e-fail "CLI: no TC014 in page.html's <script>: %S" e2e-expected)))

(e2e-case "Markdown then HTML: each buffer gets its server and language id"
	  (setq e2e-md (e2e-open "doc.md"))
	  (setq e2e-html (e2e-open "page.html"))
	  (let ((md-server (with-current-buffer e2e-md (eglot-current-server)))
		(html-server (with-current-buffer e2e-html (eglot-current-server))))
	    (unless (eq 'markdown-mode (buffer-local-value 'major-mode e2e-md))
	      (e2e-fail "doc.md is in %s" (buffer-local-value 'major-mode e2e-md)))
	    (unless (eq 'mhtml-mode (buffer-local-value 'major-mode e2e-html))
	      (e2e-fail "page.html is in %s" (buffer-local-value 'major-mode e2e-html)))
	    (when (eq md-server html-server)
	      (e2e-fail "Markdown and HTML share one server (language id %s)"
			(eglot--language-id md-server)))
	    (unless (equal "markdown" (eglot--language-id md-server))
	      (e2e-fail "doc.md's language id is %s" (eglot--language-id md-server)))
	    (unless (equal "html" (eglot--language-id html-server))
	      (e2e-fail "page.html's language id is %s" (eglot--language-id html-server)))
	    (let ((cmd (process-command (jsonrpc--process md-server))))
	      (unless (equal (last cmd) '("trueconf-lsp"))
		(e2e-fail "the server command is %S" cmd)))))

(e2e-case "Markdown: diagnostics at the CLI's line and character columns (emoji, CJK)"
	  (let ((want (cdr (assoc "doc.md" e2e-expected))))
	    (unless (string-match-p "🙂 我们的 🎉" (e2e-line e2e-md 3)) (e2e-fail "test file line 3 lost its emoji"))
	    (unless (cl-find 3 want :key #'cadr) (e2e-fail "CLI has no finding on line 3: %S" want))
	    (let ((got (e2e-wait-diags e2e-md (lambda (d) (>= (length d) (length want))) "Markdown diagnostics")))
	      (unless (equal got want)
		(e2e-fail "eglot/Flymake: %S\n     CLI:          %S" got want)))))

(e2e-case "HTML (opened second): diagnostics at the CLI's positions, <script> finding included"
	  (let ((want (cdr (assoc "page.html" e2e-expected))))
	    (let ((got (e2e-wait-diags e2e-html (lambda (d) (>= (length d) (length want))) "HTML diagnostics")))
	      (unless (equal got want)
		(e2e-fail "eglot/Flymake: %S\n     CLI:          %S" got want))
	      (unless (assoc "TC014" got) (e2e-fail "no TC014 from <script>: %S" got)))))

(e2e-case "Markdown: hover explains the link, password masked"
	  (with-current-buffer e2e-md
	    (let ((range (or (e2e-find e2e-md "TC002") (e2e-fail "no TC002 to hover"))))
	      (goto-char (+ (car range) 12))
	      (let* ((server (eglot--current-server-or-lose))
		     (hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
		     (text (and hover (eglot--hover-info (plist-get hover :contents) (plist-get hover :range)))))
		(unless (stringp text) (e2e-fail "no hover: %S" hover))
		(unless (string-match-p "sign in as alice" text) (e2e-fail "hover lacks \"sign in as alice\":\n%s" text))
		(unless (string-match-p (regexp-quote "***") text) (e2e-fail "hover lacks ***:\n%s" text))
		(when (string-match-p e2e-secret text) (e2e-fail "hover shows the password:\n%s" text))))))

(e2e-case "Markdown: completion of parameter names after `&'"
	  (with-current-buffer e2e-md
	    (goto-char (point-min))
	    (search-forward "confid=room&")
	    (let* ((capf (or (eglot-completion-at-point) (e2e-fail "no completion at point")))
		   (names (all-completions "" (nth 2 capf))))
	      (dolist (want '("login" "password" "encrypt"))
		(unless (member want names) (e2e-fail "completion lacks %s: %S" want names))))))

(e2e-case "Markdown: quick fix \"Add encrypt=1\" via eglot-code-actions"
	  (with-current-buffer e2e-md
	    (let* ((range (or (e2e-find e2e-md "TC002") (e2e-fail "no TC002")))
		   (server (eglot--current-server-or-lose))
		   (actions (eglot-code-actions (car range) (cdr range) "quickfix"))
		   (action (cl-find "Add encrypt=1" actions :key (lambda (a) (plist-get a :title)) :test #'equal)))
	      (unless action
		(e2e-fail "no \"Add encrypt=1\" among %S" (mapcar (lambda (a) (plist-get a :title)) actions)))
	      (eglot--read-execute-code-action (list action) server "quickfix")
	      (unless (string-match-p "&force=1&encrypt=1)" (e2e-line e2e-md 3))
		(e2e-fail "line 3 after the fix: %s" (e2e-line e2e-md 3)))
	      (e2e-wait-diags e2e-md (lambda (d) (not (assoc "TC002" d))) "TC002 to go after the fix"))))

(e2e-case "HTML: the README's trueconf-lsp-fix-all applies the safe fixes"
	  (with-current-buffer e2e-html
	    (trueconf-lsp-fix-all)
	    (unless (string-match-p "&amp;encrypt=1\"" (e2e-line e2e-html 2))
	      (e2e-fail "line 2 after fix-all: %s" (e2e-line e2e-html 2)))
	    (unless (string-match-p (regexp-quote "\"trueconf:\\\\c\\\\737734033583\"") (e2e-line e2e-html 4))
	      (e2e-fail "line 4 after fix-all: %s" (e2e-line e2e-html 4)))
	    (e2e-wait-diags e2e-html (lambda (d) (equal (mapcar #'car d) '("TC004")))
			    "only TC004 (no safe fix) to remain")))

(e2e-case "no password in any eglot buffer but the documents"
	  ;; The events buffer logs the documents' text (didOpen), so look only at
	  ;; what the server wrote: its stderr buffers.
	  (dolist (b (buffer-list))
	    (when (string-match-p "\\*EGLOT.*stderr\\*" (buffer-name b))
	      (with-current-buffer b
		(when (string-match-p e2e-secret (buffer-string))
		  (e2e-fail "%s shows the password" (buffer-name b)))))))

(message "emacs e2e: %d passed, %d failed%s" e2e-passed (length e2e-failed)
         (if e2e-failed (format " (%s)" (string-join (reverse e2e-failed) "; ")) ""))
(dolist (b (buffer-list)) (with-current-buffer b (set-buffer-modified-p nil)))
(ignore-errors (eglot-shutdown-all))
(delete-directory e2e-dir t)
(kill-emacs (if e2e-failed 1 0))

;;; e2e.el ends here
