// A request handed to the handler (http::Exchange) and its way back to the session that read it.
// The exchange lives in server_exchange.cc, the session in server.cc; each reaches the other only
// through the functions below. Internal to http/.
//
// Thread safety: an exchange may be answered from any thread; the session functions marked
// "session thread" run on the connection's I/O thread (the exchange dispatches there).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "http/body_stream.h"
#include "http/message.h"
#include "http/wire_fields.h"

namespace gatehouse::http::detail {

class Session;

// The exchange of request `seq` of `session`. It holds the session until it is answered or
// dropped (dropped unanswered, it answers 500 itself); the session does not hold it.
std::shared_ptr<Exchange> make_exchange(std::shared_ptr<Session> session, Request req, uint64_t seq,
                                        bool body_pending);

// What an exchange asks of its session.
boost::asio::io_context::executor_type session_executor(Session& session);
// Session thread: the handler's answer for request `seq` (with `rest`, a streamed one).
void session_answer(Session& session, uint64_t seq, Response res,
                    std::shared_ptr<BodySource> rest = nullptr,
                    std::optional<uint64_t> length = std::nullopt, WireFields passed = {});
// Session thread: the next piece of request `seq`'s streamed body.
void session_read_body_piece(Session& session, uint64_t seq, BodyReadDone done);
// Any thread: Exchange::client_gone.
bool session_client_gone(const Session& session);

}  // namespace gatehouse::http::detail
