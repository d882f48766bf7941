-- Dovecot 2.3 password and user databases (dovecot-auth-lua) that ask
-- workmaild:
--
-- * the password database hands every mail-client login to workmaild's
--   POST /_workmaild/logins and maps its answer to Dovecot's results.
--   workmaild decides (tokens, directory passwords, the authentication
--   mode, the user's state, access rules); this script only carries the
--   question and the answer.
-- * the user database asks POST /_workmaild/mailboxes whether a mailbox
--   address names a mailbox and what its quota is, for logins and for
--   deliveries over LMTP.
--
-- Needs lua-dkjson. The two settings below are filled in by
-- scripts/mailstack; set them by hand to use the script elsewhere.

local workmaild_url = "@WORKMAILD_URL@"
local admin_token = "@ADMIN_TOKEN@" -- "" when workmaild has none
-- Where the mailboxes are (the userdb's home is <mail_dir>/<mailbox>), and
-- how many other mailboxes a user may open over IMAP: the namespaces
-- delegated1 ... delegated<N> of dovecot.conf.
local mail_dir = "@DIR@/mail"
local delegated_slots = 10

local json = require("dkjson")

-- Refusal reasons of workmaild, as Dovecot results. What a client sees:
-- PASSWORD_MISMATCH and USER_UNKNOWN are a plain authentication failure,
-- PASS_EXPIRED says the password expired, USER_DISABLED is a failure too
-- (never a login with nologin: Postfix would take that for a success).
local results = {
	UnknownUser = dovecot.auth.PASSDB_RESULT_USER_UNKNOWN,
	WrongSecret = dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
	TokenScopeNotAllowed = dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
	UserNotLinked = dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
	DirectoryPasswordNotAllowed = dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
	TooManyFailures = dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
	TokenExpired = dovecot.auth.PASSDB_RESULT_PASS_EXPIRED,
	TokensInactive = dovecot.auth.PASSDB_RESULT_USER_DISABLED,
	UserDisabled = dovecot.auth.PASSDB_RESULT_USER_DISABLED,
	DeniedByRule = dovecot.auth.PASSDB_RESULT_USER_DISABLED,
}

local http

function script_init()
	-- One client per auth-worker process; it keeps its connection alive
	-- between requests.
	http = dovecot.http.client({
		connect_timeout_msecs = 2000,
		request_timeout_msecs = 5000,
		max_attempts = 1,
		user_agent = "dovecot-workmaild",
	})
	return 0
end

-- ask POSTs body (a table) to one of workmaild's endpoints and returns the
-- status and the decoded answer ({} when it is not JSON). A status of 9000
-- and up is the HTTP client's own error: workmaild could not be reached.
local function ask(path, body)
	local request = http:request({ url = workmaild_url .. path, method = "POST" })
	request:add_header("Content-Type", "application/json")
	if admin_token ~= "" then
		request:add_header("Authorization", "Bearer " .. admin_token)
	end
	request:set_payload(json.encode(body))
	local response = request:submit()
	return response:status(), json.decode(response:payload() or "") or {}, response
end

function auth_password_verify(req, password)
	local status, answer, response = ask("/_workmaild/logins", {
		User = req.user,
		Secret = password,
		Service = req.service,
		RemoteIp = req.remote_ip or "",
	})
	if status == 200 and answer.Result == "OK" and type(answer.Mailbox) == "string" then
		-- The mailbox address (named by ids) is the user from now on,
		-- whichever address the client logged in with: it names the
		-- mailbox Postfix delivers to, and the login Postfix checks
		-- senders against.
		return dovecot.auth.PASSDB_RESULT_OK, { user = string.lower(answer.Mailbox) }
	end
	if status == 403 and results[answer.__type] then
		req:log_info("workmaild refused the login: " .. answer.__type)
		return results[answer.__type], answer.__type
	end
	-- workmaild down, its store unavailable, or a request it did not
	-- understand: a temporary failure, never a refusal.
	req:log_error(string.format("workmaild answered %d %s", status, tostring(answer.__type or response:reason() or "")))
	return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, "workmaild is unavailable"
end

function auth_userdb_lookup(req)
	-- An IMAP session also opens the mailboxes the user has FULL_ACCESS
	-- to; a delivery or doveadm needs only the mailbox itself.
	local imap = req.service == "imap"
	local status, answer, response = ask("/_workmaild/mailboxes", { Mailbox = req.user, FullAccess = imap })
	if status == 200 and type(answer.QuotaMB) == "number" then
		local fields = {}
		if answer.QuotaMB > 0 then
			-- UpdateMailboxQuota's megabytes; Dovecot's M is MiB, as
			-- WorkMail's quota is meant.
			fields.quota_rule = string.format("*:storage=%dM", answer.QuotaMB)
		end
		-- Each other mailbox is a namespace of its own, Shared/<email>/,
		-- over that mailbox's Maildir (its INBOX is the namespace's root).
		for i, shared in ipairs(answer.FullAccess or {}) do
			if i > delegated_slots then
				req:log_warning(string.format("%d mailboxes shared with the user, %d shown", #answer.FullAccess, delegated_slots))
				break
			end
			local ns = "namespace/delegated" .. i .. "/"
			local dir = mail_dir .. "/" .. string.lower(shared.Mailbox) .. "/Maildir"
			fields[ns .. "disabled"] = "no"
			fields[ns .. "prefix"] = "Shared/" .. string.lower(shared.Email) .. "/"
			fields[ns .. "location"] = "maildir:" .. dir .. ":INBOX=" .. dir
		end
		return dovecot.auth.USERDB_RESULT_OK, fields
	end
	if status == 404 then
		return dovecot.auth.USERDB_RESULT_USER_UNKNOWN, "no such mailbox"
	end
	req:log_error(string.format("workmaild answered %d %s", status, tostring(answer.__type or response:reason() or "")))
	return dovecot.auth.USERDB_RESULT_INTERNAL_FAILURE, "workmaild is unavailable"
end
