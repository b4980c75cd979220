package portmap

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxHTTPHeader bounds the status line and headers of an answer.
const maxHTTPHeader = 8 << 10

// errHTTPStatus is an HTTP answer other than 200; its body is still returned
// (a SOAP fault comes with status 500).
var errHTTPStatus = errors.New("HTTP status")

// httpDo makes one HTTP/1.1 request to the IPv4 address of u on a
// connection dialled by the calling goroutine (Go's HTTP client dials on
// goroutines of its own, which would leave the caller's network namespace),
// and returns at most limit bytes of body.
func httpDo(ctx context.Context, method string, u *url.URL, body string, hdr http.Header, timeout time.Duration, limit int64) ([]byte, error) {
	dst := urlAddr(u)
	if u.Scheme != "http" || !dst.IsValid() {
		return nil, fmt.Errorf("URL %q: not plain http to an IPv4 address", u)
	}
	d := net.Dialer{Deadline: deadline(ctx, timeout)}
	c, err := d.DialContext(ctx, "tcp4", dst.String())
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer c.Close()
	stop := bind(ctx, c, timeout)
	defer stop()
	req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Close = true
	if err := req.Write(c); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, ctxErr(ctx, err))
	}
	r := bufio.NewReader(io.LimitReader(c, maxHTTPHeader+limit+1))
	resp, err := http.ReadResponse(r, req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, ctxErr(ctx, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, ctxErr(ctx, err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s %s: answer over %d bytes", method, u, limit)
	}
	if resp.StatusCode != http.StatusOK {
		return data, fmt.Errorf("%s %s: %w %s", method, u, errHTTPStatus, resp.Status)
	}
	return data, nil
}

// ctxErr prefers ctx's error to the one a closed connection gave.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
