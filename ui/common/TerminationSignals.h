#pragma once
// SIGTERM (logging out, `kill`), SIGHUP (the terminal closed) and SIGINT (Ctrl+C)
// as a Qt signal on the GUI thread, so the app saves its run and quits instead of
// dying mid-step. The handler only writes a byte to a socket pair (the one thing
// a signal handler may safely do); a QSocketNotifier reads it in the event loop.
#include <QObject>

class QSocketNotifier;

namespace ddpm::ui {

class TerminationSignals : public QObject {
    Q_OBJECT

public:
    explicit TerminationSignals(QObject* parent = nullptr);   // one per process
    ~TerminationSignals() override;                           // restores the default actions

signals:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier* notifier_;
};

}  // namespace ddpm::ui
