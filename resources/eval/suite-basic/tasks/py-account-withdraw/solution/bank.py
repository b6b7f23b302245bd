class Account:
    """A bank account holding a balance in cents."""

    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, cents):
        if cents <= 0:
            raise ValueError("deposit must be positive")
        self.balance += cents

    def withdraw(self, cents):
        if cents <= 0:
            raise ValueError("withdrawal must be positive")
        if cents > self.balance:
            raise ValueError("insufficient funds")
        self.balance -= cents
