-- Assistant commands (see db/migrations/00010_assistant.sql). Inserting an
-- executed command that names a device sends AI_INTENT_EXECUTED to it at
-- commit.

-- name: AssistantCommandInsert :exec
INSERT INTO assistant_commands (id, family_id, user_id, device_id, text, locale, source, intent, slots, outcome, message, error_code, received_at)
VALUES (@id, @family_id, sqlc.narg('user_id'), sqlc.narg('device_id'), @text, @locale, sqlc.narg('source'),
        sqlc.narg('intent'), sqlc.narg('slots'), @outcome, @message, sqlc.narg('error_code'), @received_at);

-- name: AssistantCommandGet :one
SELECT * FROM assistant_commands WHERE id = @id AND family_id = @family_id;
