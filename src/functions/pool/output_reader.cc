#include "functions/pool/output_reader.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <string>
#include <utility>

namespace gatehouse::functions::pool {
namespace {

namespace asio = boost::asio;

class OutputReader : public std::enable_shared_from_this<OutputReader> {
 public:
  using Emit = std::function<void(std::string_view)>;
  OutputReader(asio::any_io_executor ex, int fd, Emit emit) : sd_(ex, fd), emit_(std::move(emit)) {}
  void do_read() {
    sd_.async_read_some(asio::buffer(buf_),
                        [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                          self->on_read(ec, n);
                        });
  }

 private:
  void on_read(boost::system::error_code ec, size_t n) {
    std::string_view chunk(buf_.data(), n);
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      line_.append(chunk.substr(0, nl));
      if (nl == std::string_view::npos) break;
      chunk.remove_prefix(nl + 1);
      emit_pieces_over(kMaxLogLine);  // a long line ends in pieces of kMaxLogLine
      emit_(line_);
      line_.clear();
    }
    emit_pieces_over(kMaxLogLine - 1);  // an unfinished line is never held past kMaxLogLine
    if (ec) {
      if (!line_.empty()) emit_(line_);
      boost::system::error_code ignored;
      sd_.close(ignored);
      return;
    }
    do_read();
  }

  // Hands on the first kMaxLogLine bytes of the line while it is longer than `keep`.
  void emit_pieces_over(size_t keep) {
    while (line_.size() > keep) {
      emit_(std::string_view(line_).substr(0, kMaxLogLine));
      line_.erase(0, kMaxLogLine);
    }
  }

  asio::posix::stream_descriptor sd_;
  std::array<char, 8192> buf_{};
  std::string line_;
  Emit emit_;
};

}  // namespace

void read_lines(boost::asio::any_io_executor executor, int fd,
                std::function<void(std::string_view)> emit) {
  std::make_shared<OutputReader>(std::move(executor), fd, std::move(emit))->do_read();
}

}  // namespace gatehouse::functions::pool
