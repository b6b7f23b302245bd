class Account:
    """A bank account holding a balance in cents."""

    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, cents):
        if cents <= 0:
            raise ValueError("deposit must be positive")
        self.balance += cents
