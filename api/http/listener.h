// Listener: owns the listening socket and the accept loop. Each accepted connection gets
// its own strand and HttpSession; beyond ServerOptions::max_connections a connection gets a
// session that only answers 503 (and beyond a small cap of those, is closed at once).
// An accept error (e.g. out of file descriptors) pauses accepting briefly instead of
// spinning or giving up.
// Internal to api/http. Thread-safety: open() before the io_context runs; stop() from any
// thread; the rest runs on the listener's strand.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "api/http/shared_state.h"
#include "engine/common/result.h"

namespace ledgerflow::api::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, std::shared_ptr<SharedState> state);

  // Opens, binds and listens. unavailable when the address is in use or not ours.
  Result<void> open(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t port() const { return port_; }

  void run();   // starts the accept loop
  void stop();  // closes the listening socket; accepted connections are not touched

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<SharedState> state_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace ledgerflow::api::http
